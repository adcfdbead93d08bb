// Public API of @patron/engine. Everything not exported here is internal.

// The member data store
export { openStore } from "./store/store.js";
export type { Db } from "./store/store.js";
export { migrate, MIGRATIONS } from "./store/migrate.js";
export type { Migration } from "./store/migrate.js";

// The meaning of time (shared by the SQL compiler and the per-member evaluator)
export { pastWindow, futureWindow, shift } from "./time/windows.js";
export { ageOn, birthdayMonthDays, latestBirthdayForAge, localDate, memberZone, monthDay, startOfDate } from "./time/local-dates.js";
