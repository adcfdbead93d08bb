import { DateTime } from "luxon";
import type { DurationNode } from "@patron/dsl";

/*
 * The meaning of time in conditions, in one place, shared by the SQL compiler and the
 * json-rules-engine evaluator so the two can never disagree:
 *
 * - A window `within N units` ending at the as-of instant is the half-open interval
 *   (as-of − N units, as-of]: exactly N units before as-of is outside, as-of itself inside.
 * - hours, days and weeks are fixed lengths (24-hour days), so a window never depends on a zone;
 *   months and years are calendar months and years in the business time zone (luxon clamps
 *   31 March − 1 month to 28/29 February).
 * - Data stamped after as-of does not exist for the run.
 */

const FIXED_MS: Partial<Record<DurationNode["unit"], number>> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** The instant `amount units` before (sign -1) or after (sign +1) `at`, in epoch milliseconds. */
export function shift(at: number, amount: number, unit: DurationNode["unit"], sign: 1 | -1, zone: string): number {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return at + sign * amount * fixed;
  const dt = DateTime.fromMillis(at, { zone });
  const moved = unit === "month" ? dt.plus({ months: sign * amount }) : dt.plus({ years: sign * amount });
  return moved.toMillis();
}

/** (as-of − duration, as-of] as [exclusiveStart, inclusiveEnd] in epoch milliseconds. */
export function pastWindow(asOf: number, amount: number, unit: DurationNode["unit"], zone: string): { after: number; upTo: number } {
  return { after: shift(asOf, amount, unit, -1, zone), upTo: asOf };
}

/** (as-of, as-of + duration] as [exclusiveStart, inclusiveEnd]: for points expiring. */
export function futureWindow(asOf: number, amount: number, unit: DurationNode["unit"], zone: string): { after: number; upTo: number } {
  return { after: asOf, upTo: shift(asOf, amount, unit, 1, zone) };
}
