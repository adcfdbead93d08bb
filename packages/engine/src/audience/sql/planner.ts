import type { AudienceStats } from "./context.js";
import { estimateSql, needsRows, type PurchaseRows, type PurchaseTest, type Strategy } from "./purchases.js";

/*
 * How each purchase test of a conjunction is written: as a set built once (`m.id IN (SELECT …)`)
 * or as a probe per member (`EXISTS (SELECT … WHERE p.member_id = m.id …)`). Both mean the same;
 * the choice is only about speed, and it is a real one. Measured at 1M members / 10M purchases:
 * `bought brand X within 30 days` as a set takes 0.2 s and as a probe 13 s (every member probed),
 * while `hair_concern = dandruff and bought category shampoo within 180 days` is 3–5× faster
 * probed, because the attribute test leaves few members to probe and the set would hold 800k rows.
 *
 * The cost model is deliberately small. A set costs about one step per matching purchase row; a
 * probe about one index seek per member it is evaluated for ("reach"). Within a conjunction:
 *
 * - each cheap member test (attributes, joined, birthday) is assumed to keep half the members;
 * - the test needing rows (a positive `bought`, `spent at least …`) with the fewest rows, when
 *   they are fewer than half the reach, becomes the driving set: SQLite reads the matching
 *   members straight from it, and the reach of everything else becomes its size;
 * - every other test is a set when its rows are fewer than half the remaining reach, else a probe.
 *
 * Rows are estimated by counting index entries up to a cap (a few milliseconds), only when
 * AudienceStats is given. Without it, a test on a named brand, category or SKU counts as small
 * (a set) and a test on anything as large (a probe): the plan the golden files show.
 */

export interface PlannedTest {
  readonly test: PurchaseTest;
  readonly strategy: Strategy;
}

export interface ConjunctionPlan {
  /** Sets first (the driving one leading), then probes: the order to evaluate them in. */
  readonly tests: readonly PlannedTest[];
  /** About how many members reach the conjunction's other operands. */
  readonly reach: number;
}

export function planConjunction(
  tests: readonly PurchaseTest[],
  reach: number,
  stats: AudienceStats | undefined,
  forced?: Strategy,
): ConjunctionPlan {
  if (forced) return { tests: tests.map((test) => ({ test, strategy: forced })), reach };
  const rows = tests.map((test) => estimateRows(test.rows, reach / 2, stats));
  let driving = -1;
  tests.forEach((test, i) => {
    const n = rows[i] as number;
    if (needsRows(test) && n < reach / 2 && (driving < 0 || n < (rows[driving] as number))) driving = i;
  });
  const rest = driving >= 0 ? Math.min(reach, rows[driving] as number) : reach;
  const planned = tests.map((test, i): PlannedTest & { order: number } => {
    const strategy: Strategy = i === driving || (rows[i] as number) < rest / 2 ? "set" : "probe";
    return { test, strategy, order: i === driving ? 0 : strategy === "set" ? 1 : 2 };
  });
  planned.sort((a, b) => a.order - b.order);
  return { tests: planned.map(({ test, strategy }) => ({ test, strategy })), reach: rest };
}

/** The number of rows a test looks at, or at least `cap` when there are that many. */
function estimateRows(rows: PurchaseRows, cap: number, stats: AudienceStats | undefined): number {
  if (!stats) return rows.item && rows.item.by !== "anything" ? 0 : Number.POSITIVE_INFINITY;
  const limit = Math.max(1, Math.ceil(cap));
  const query = estimateSql(rows, limit);
  const n = stats.count({ sql: query.text, params: query.params });
  return n >= limit ? Number.POSITIVE_INFINITY : n;
}
