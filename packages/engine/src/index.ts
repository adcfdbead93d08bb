// Public API of @patron/engine. Everything not exported here is internal.

// The member data store
export { openStore } from "./store/store.js";
export type { Db } from "./store/store.js";
export { migrate, MIGRATIONS } from "./store/migrate.js";
export type { Migration } from "./store/migrate.js";

// The meaning of time (shared by the SQL compiler and the per-member evaluator)
export { pastWindow, futureWindow, shift } from "./time/windows.js";
export { ageOn, birthdayMonthDays, latestBirthdayForAge, localDate, memberZone, monthDay, startOfDate } from "./time/local-dates.js";
export { parseAsOf, formatInstant } from "./time/as-of.js";

// Importing CSV files
export * from "./import/index.js";

// Audiences: the SQL compiler (the fast path) …
export * from "./audience/sql/index.js";

// … and the json-rules-engine evaluator (per member: explain, and the second opinion)
export {
  audienceByRules,
  compileCampaign,
  compileRule,
  evaluateMember,
  explainMember,
  memberMatches,
  renderExplanation,
  ruleAudience,
  UnknownMemberError,
} from "./audience/rules/index.js";
export type { CompiledRule, Explanation, ExplainNode, MemberEvaluation, RuleCondition, RuleNodeInfo } from "./audience/rules/index.js";

// Demo data
export * from "./demo/index.js";
