import { DateTime } from "luxon";
import type { DurationNode } from "@patron/dsl";
import { birthdayWindowDays as sharedBirthdayWindowDays, localDate, memberZone } from "../../time/local-dates.js";
import { join, list, sql, type Sql } from "./fragment.js";

/*
 * Conditions on the member's own calendar (birthday within, age) depend on today(m), the local
 * date of as-of in the member's zone. At any instant the world's zones span at most three
 * calendar dates, so rather than converting per row the compiler groups the zones present in the
 * data by their local date, in JS, and emits one branch per date:
 *
 *   CASE WHEN m.timezone IN (?, ?) THEN <condition for date d1>
 *        ELSE <condition for the business zone's date> END
 *
 * The ELSE branch covers the business zone's date: members without a zone, with an invalid one
 * (memberZone maps it to the business zone), and with a valid zone on the same date. When every
 * zone shares the business zone's date — the usual case — there is no CASE at all.
 */

export interface DateGroup {
  /** The local date of as-of (YYYY-MM-DD). */
  readonly today: string;
  /** The raw `members.timezone` values whose local date this is. */
  readonly zones: readonly string[];
}

export interface LocalDates {
  readonly businessToday: string;
  /** Dates other than the business zone's, each with its zones; sorted by date. */
  readonly others: readonly DateGroup[];
}

export function groupZonesByToday(asOf: number, businessZone: string, zones: readonly string[]): LocalDates {
  const businessToday = localDate(asOf, businessZone);
  const byDate = new Map<string, string[]>();
  for (const raw of new Set(zones)) {
    const today = localDate(asOf, memberZone(raw, businessZone));
    if (today === businessToday) continue;
    const group = byDate.get(today) ?? [];
    group.push(raw);
    byDate.set(today, group);
  }
  const others = [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([today, group]) => ({ today, zones: group.sort() }));
  return { businessToday, others };
}

/** One expression per local date, chosen by the member's zone (see the comment above). */
export function perLocalDate(dates: LocalDates, build: (today: string) => Sql): Sql {
  const otherwise = build(dates.businessToday);
  if (dates.others.length === 0) return otherwise;
  const branches = dates.others.map((g) => sql`WHEN m.timezone IN (${list(g.zones)}) THEN ${build(g.today)}`);
  return sql`CASE ${join(branches, " ")} ELSE ${otherwise} END`;
}

/**
 * The number of local days `birthday within W` covers from `today` (today included): the length
 * of W in days, hours rounded up to whole days, months and years as the calendar has them from
 * today (within 1 month on 31 January covers 28 days in 2026).
 *
 * SEMANTICS.md defines this but time/ has no helper for it; it belongs beside birthdayMonthDays
 * so the json-rules-engine evaluator uses the same arithmetic.
 */
export function birthdayWindowDays(today: string, window: DurationNode): number {
  return sharedBirthdayWindowDays(today, window.amount.value, window.unit);
}

/** The calendar date after `date` (YYYY-MM-DD). */
export function nextDate(date: string): string {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? "";
}
