import { DateTime } from "luxon";

/*
 * Calendar notions about a member (birthday, age, dates of the member's own calendar) use the
 * member's time zone when the member data has a valid one, otherwise the business time zone.
 *
 * - `birthday within N days`: the member's next birthday (this year's, or next year's once it
 *   has passed) falls on one of the N local days starting today: today counts, today + N does not.
 *   `within 1 day` means "birthday today".
 * - A 29 February birthday is celebrated on 28 February in years without 29 February.
 * - `age` is whole years: the largest Y with birthday + Y years ≤ today (luxon's calendar
 *   arithmetic, so a 29 February birthday turns a year older on 28 February in other years).
 */

/** The zone used for a member: theirs when valid, else the business zone. */
export function memberZone(memberTimezone: string | null | undefined, businessZone: string): string {
  if (memberTimezone && isValidZone(memberTimezone)) return memberTimezone;
  return businessZone;
}

// A handful of zones serve a million members: asking luxon once per zone, not once per member.
const zoneValidity = new Map<string, boolean>();

function isValidZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = DateTime.local().setZone(zone).isValid;
    if (zoneValidity.size < 10_000) zoneValidity.set(zone, valid);
  }
  return valid;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate() ?? "";
}

/** month*100+day of a YYYY-MM-DD date (the store's birth_md). */
export function monthDay(date: string): number {
  return Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}

/**
 * The birth month-days (month*100+day) whose birthday falls within `days` local days from
 * `today` (today included). Includes 229 when 28 February is in the window of a non-leap year.
 */
export function birthdayMonthDays(today: string, days: number): number[] {
  const out = new Set<number>();
  let d = DateTime.fromISO(today, { zone: "UTC" });
  for (let i = 0; i < days && i < 366; i++) {
    const md = d.month * 100 + d.day;
    out.add(md);
    if (md === 228 && !d.isInLeapYear) out.add(229);
    d = d.plus({ days: 1 });
  }
  return [...out].sort((a, b) => a - b);
}

/** Whole years from `birthday` to `today` (both YYYY-MM-DD). */
export function ageOn(birthday: string, today: string): number {
  const b = DateTime.fromISO(birthday, { zone: "UTC" });
  const t = DateTime.fromISO(today, { zone: "UTC" });
  let years = t.year - b.year;
  if (b.plus({ years }) > t) years--;
  return years;
}

/**
 * The latest birthday (YYYY-MM-DD) of someone at least `age` years old on `today`:
 * age ≥ A ⟺ birthday ≤ latestBirthdayForAge(today, A). Consistent with ageOn.
 */
export function latestBirthdayForAge(today: string, age: number): string {
  const t = DateTime.fromISO(today, { zone: "UTC" });
  let candidate = t.minus({ years: age });
  // t − A years may land on 28 Feb for a 29 Feb `today`; step forward while still old enough.
  while (ageOn(candidate.plus({ days: 1 }).toISODate() ?? "", today) >= age) candidate = candidate.plus({ days: 1 });
  while (ageOn(candidate.toISODate() ?? "", today) < age) candidate = candidate.minus({ days: 1 });
  return candidate.toISODate() ?? "";
}

/**
 * How many local days `birthday within AMOUNT UNIT` spans from `today`: hours round up to whole
 * days, weeks are 7 days, months and years are calendar lengths from today (31 January + 1 month
 * is 28 or 29 days). Both evaluators use this one definition.
 */
export function birthdayWindowDays(today: string, amount: number, unit: "hour" | "day" | "week" | "month" | "year"): number {
  switch (unit) {
    case "hour":
      return Math.ceil(amount / 24);
    case "day":
      return amount;
    case "week":
      return amount * 7;
    case "month":
    case "year": {
      const start = DateTime.fromISO(today, { zone: "UTC" });
      const end = unit === "month" ? start.plus({ months: amount }) : start.plus({ years: amount });
      return Math.round(end.diff(start, "days").days);
    }
  }
}

/** The start of a calendar date in a zone, epoch ms: for comparing instants with date literals. */
export function startOfDate(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf("day").toMillis();
}
