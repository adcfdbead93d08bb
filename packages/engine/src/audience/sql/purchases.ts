import type { BoughtNode, DurationNode, ItemFilterNode, LastPurchaseNode, QuantityNode, SpentNode } from "@patron/dsl";
import { structuralKey } from "@patron/dsl";
import { pastWindow, shift } from "../../time/windows.js";
import { AudienceCompileError, type AudienceContext } from "./context.js";
import { join, list, sql, type Sql } from "./fragment.js";
import { countShape, holds, sqlOp } from "./quantity.js";

/*
 * Purchase conditions (bought, spent, last purchase) as tests on sets of purchase rows, and the
 * two ways each test is written in SQL:
 *
 *   set     m.id IN (SELECT member_id FROM purchases WHERE <rows>)            — built once, from
 *           the time index (table rows read in rowid order, see setWhere) or a scan of the table;
 *           `… GROUP BY member_id HAVING <aggregate Q>` for counts and sums,
 *           and `m.id NOT IN (… HAVING NOT (<aggregate Q>))` when Q holds at zero, so members
 *           without a single row take the aggregate's value at zero (count 0, sum 0).
 *   probe   EXISTS (SELECT 1 FROM purchases AS p WHERE p.member_id = m.id AND <rows>), or
 *           (SELECT <aggregate> FROM purchases AS p WHERE p.member_id = m.id AND …) <op> ?  —
 *           per member, through purchases_member_time; count() and total() are 0 without rows.
 *
 * A set costs about one step per matching purchase, a probe one index seek (plus the member's
 * rows in the range) per member it is evaluated for; planner.ts chooses. Either way the test is
 * two-valued: member_id is NOT NULL, EXISTS, count() and total() are never NULL.
 */

export interface TimeBound {
  readonly at: number;
  readonly inclusive: boolean;
}

/** The purchase rows a test looks at. */
export interface PurchaseRows {
  readonly item: ItemFilterNode | undefined;
  /** Lower bound of purchased_at; none for all history. */
  readonly from?: TimeBound;
  /** Upper bound of purchased_at; never after as-of. */
  readonly to: TimeBound;
  /** Only rows with quantity > 0 (bought, last purchase); spent counts returns too. */
  readonly bought: boolean;
}

export type PurchaseTest =
  /** Some row exists (or, negated, none does). */
  | { readonly kind: "exists"; readonly rows: PurchaseRows; readonly negated: boolean }
  /** The number of distinct orders, or the net sum of amount, satisfies Q (or, negated, does not). */
  | { readonly kind: "orders" | "amount"; readonly rows: PurchaseRows; readonly quantity: QuantityNode; readonly negated: boolean };

export type Strategy = "set" | "probe";

/** Whether only members with at least one row can pass: such a test can drive the query. */
export function needsRows(test: PurchaseTest): boolean {
  if (test.kind === "exists") return !test.negated;
  return holds(test.quantity.op, 0, test.quantity.amount.value) === test.negated;
}

function windowRows(
  item: ItemFilterNode | undefined,
  window: DurationNode | undefined,
  bought: boolean,
  ctx: AudienceContext,
): PurchaseRows {
  const to = { at: ctx.asOf, inclusive: true };
  if (!window) return { item, to, bought };
  const { after } = pastWindow(ctx.asOf, window.amount.value, window.unit, ctx.businessZone);
  return { item, from: { at: after, inclusive: false }, to, bought };
}

/** bought ITEM [Q times] [within W]: rows with quantity > 0; Q counts distinct orders. */
export function boughtTest(node: BoughtNode, ctx: AudienceContext, negated: boolean): PurchaseTest {
  const rows = windowRows(node.item, node.window, true, ctx);
  if (!node.count) return { kind: "exists", rows, negated };
  switch (countShape(node.count)) {
    case "some":
      return { kind: "exists", rows, negated };
    case "none":
      return { kind: "exists", rows, negated: !negated };
    case "compare":
      return { kind: "orders", rows, quantity: node.count, negated };
  }
}

/** spent [on ITEM] Q [within W]: the net sum of amount, returns (negative rows) included. */
export function spentTest(node: SpentNode, ctx: AudienceContext, negated: boolean): PurchaseTest {
  return { kind: "amount", rows: windowRows(node.item, node.window, false, ctx), quantity: node.amount, negated };
}

/**
 * `last purchase [of ITEM] op N UNITS ago` conditions joined by `and`, on the same item: each
 * bounds t, the latest bought row at or before as-of, with b = as-of − N units:
 *
 *   more than  t < b     at least  t ≤ b     less than  t > b     at most  t ≥ b
 *   exactly    as-of − (N+1) units < t ≤ b
 *
 * Together they say t lies in one interval I, and t ∈ I ⟺ some row in I and none after I (up
 * to as-of): two range tests, no per-member max(). `more than 45 days ago and less than 90 days
 * ago` becomes "a row in (as-of − 90 d, as-of − 45 d), none in [as-of − 45 d, as-of]". No such
 * row at all is false, as SEMANTICS.md has it. Returns undefined when the interval is empty.
 */
export function lastPurchaseTests(nodes: readonly LastPurchaseNode[], ctx: AudienceContext): PurchaseTest[] | undefined {
  const first = nodes[0];
  if (!first) return [];
  let from: TimeBound | undefined;
  let to: TimeBound = { at: ctx.asOf, inclusive: true };
  const tighterFrom = (b: TimeBound): void => {
    if (!from || b.at > from.at || (b.at === from.at && !b.inclusive)) from = b;
  };
  const tighterTo = (b: TimeBound): void => {
    if (b.at < to.at || (b.at === to.at && !b.inclusive)) to = b;
  };
  for (const node of nodes) {
    const { amount, unit } = node.ago;
    const b = shift(ctx.asOf, amount.value, unit, -1, ctx.businessZone);
    switch (node.op) {
      case ">":
        tighterTo({ at: b, inclusive: false });
        break;
      case ">=":
        tighterTo({ at: b, inclusive: true });
        break;
      case "<":
        tighterFrom({ at: b, inclusive: false });
        break;
      case "<=":
        tighterFrom({ at: b, inclusive: true });
        break;
      case "=":
        tighterFrom({ at: shift(ctx.asOf, amount.value + 1, unit, -1, ctx.businessZone), inclusive: false });
        tighterTo({ at: b, inclusive: true });
        break;
      case "!=":
        // The language has words only (more than, at least, less than, at most, exactly).
        throw new AudienceCompileError("last purchase cannot be compared with !=");
    }
  }
  const lower = from as TimeBound | undefined;
  if (lower && (lower.at > to.at || (lower.at === to.at && !(lower.inclusive && to.inclusive)))) return undefined;
  const tests: PurchaseTest[] = [
    { kind: "exists", rows: { item: first.item, ...(lower ? { from: lower } : {}), to, bought: true }, negated: false },
  ];
  if (to.at < ctx.asOf || !to.inclusive) {
    const after: PurchaseRows = {
      item: first.item,
      from: { at: to.at, inclusive: !to.inclusive },
      to: { at: ctx.asOf, inclusive: true },
      bought: true,
    };
    tests.push({ kind: "exists", rows: after, negated: true });
  }
  return tests;
}

/** A key equal for two last-purchase conditions on the same item, to join them. */
export function itemKey(item: ItemFilterNode | undefined): string {
  return item && item.by !== "anything" ? structuralKey({ by: item.by, names: item.names.map((n) => n.value) }) : "anything";
}

// ---- SQL ----

/** Column names: a fixed whitelist, bare in a set's subquery, `p.` in a probe. */
const COLUMNS = {
  set: {
    member_id: sql`member_id`,
    purchased_at: sql`purchased_at`,
    quantity: sql`quantity`,
    amount: sql`amount`,
    order_id: sql`order_id`,
    brand: sql`brand`,
    category: sql`category`,
    sku: sql`sku`,
  },
  probe: {
    member_id: sql`p.member_id`,
    purchased_at: sql`p.purchased_at`,
    quantity: sql`p.quantity`,
    amount: sql`p.amount`,
    order_id: sql`p.order_id`,
    brand: sql`p.brand`,
    category: sql`p.category`,
    sku: sql`p.sku`,
  },
} as const;

type Columns = (typeof COLUMNS)[Strategy];

function itemFilter(item: ItemFilterNode | undefined, c: Columns): Sql[] {
  if (!item || item.by === "anything" || item.names.length === 0) return [];
  const column = c[item.by];
  const names = item.names.map((n) => n.value);
  return [names.length === 1 ? sql`${column} = ${names[0] as string}` : sql`${column} IN (${list(names)})`];
}

/**
 * The row filters. In a set, a range without a lower bound is written `+purchased_at <= ?`: the
 * unary plus keeps SQLite from walking a time index for it. Such a range holds nearly every
 * purchase, and the time indexes do not hold quantity or amount, so that walk fetches each row
 * again by a random primary-key lookup — minutes at ten million purchases without ANALYZE
 * statistics (measured) — where a scan of the table, or of the item's index, reads them in order.
 */
export function rowFilters(rows: PurchaseRows, strategy: Strategy, options: { readonly estimate?: boolean } = {}): Sql[] {
  const c = COLUMNS[strategy];
  const at = c.purchased_at;
  const time: Sql[] = [];
  if (rows.from) time.push(rows.from.inclusive ? sql`${at} >= ${rows.from.at}` : sql`${at} > ${rows.from.at}`);
  const unbounded = !rows.from && strategy === "set" && !options.estimate;
  const to = unbounded ? sql`+${at}` : at;
  time.push(rows.to.inclusive ? sql`${to} <= ${rows.to.at}` : sql`${to} < ${rows.to.at}`);
  const bought = rows.bought && !options.estimate ? [sql`${c.quantity} > 0`] : [];
  return [...itemFilter(rows.item, c), ...time, ...bought];
}

function aggregate(test: PurchaseTest, c: Columns): Sql {
  return test.kind === "orders" ? sql`count(DISTINCT ${c.order_id})` : sql`total(${c.amount})`;
}

/**
 * The WHERE of a set. A set with a lower time bound walks a range of purchases_time, which holds
 * the item columns but not member_id, quantity, amount or order_id, so every matching entry is
 * read again from the table. Purchases are stored member by member, and a walk in time order
 * reads them at random: instead the range yields rowids (the index alone; purchases is a rowid
 * table since store migration 002), which SQLite collects in a sorted list for `rowid IN`, and
 * the table is read in rowid order, each page once. Measured at 1M members / 9.7M purchases: the rows of `last purchase of category
 * shampoo` 0.92 s → 0.64 s, a GROUP BY over 90 days of rows 6.3 s → 3.5 s. Without a lower
 * bound the set is a scan (see rowFilters) and stays one.
 */
function setWhere(rows: PurchaseRows): Sql {
  if (!rows.from) return join(rowFilters(rows, "set"), " AND ");
  const inIndex = rowFilters({ ...rows, bought: false }, "set");
  const onRow = rows.bought ? [sql`quantity > 0`] : [];
  const sorted = sql`rowid IN (SELECT rowid FROM purchases WHERE ${join(inIndex, " AND ")})`;
  return join([sorted, ...onRow], " AND ");
}

/** The test in SQL, as a set or as a probe. */
export function purchaseSql(test: PurchaseTest, strategy: Strategy): Sql {
  const c = COLUMNS[strategy];
  const where = strategy === "set" ? setWhere(test.rows) : join(rowFilters(test.rows, strategy), " AND ");
  if (strategy === "probe") {
    if (test.kind === "exists") {
      const exists = test.negated ? sql`NOT EXISTS` : sql`EXISTS`;
      return sql`${exists} (
  SELECT 1 FROM purchases AS p
  WHERE p.member_id = m.id AND ${where}
)`;
    }
    const op = sqlOp(test.quantity.op);
    const value = sql`(
  SELECT ${aggregate(test, c)} FROM purchases AS p
  WHERE p.member_id = m.id AND ${where}
) ${op} ${test.quantity.amount.value}`;
    return test.negated ? sql`NOT (${value})` : value;
  }
  if (test.kind === "exists") {
    const membership = test.negated ? sql`m.id NOT IN` : sql`m.id IN`;
    return sql`${membership} (
  SELECT member_id FROM purchases
  WHERE ${where}
)`;
  }
  // Members without rows have the aggregate's value at zero: in the set's complement when Q
  // holds at zero (and the test is not negated), else outside it.
  const q = sql`${aggregate(test, c)} ${sqlOp(test.quantity.op)} ${test.quantity.amount.value}`;
  const atZero = holds(test.quantity.op, 0, test.quantity.amount.value) !== test.negated;
  const having = atZero === test.negated ? q : sql`NOT (${q})`;
  const membership = atZero ? sql`m.id NOT IN` : sql`m.id IN`;
  return sql`${membership} (
  SELECT member_id FROM purchases
  WHERE ${where}
  GROUP BY member_id HAVING ${having}
)`;
}

/**
 * A query counting the rows a test looks at, up to `cap`: for the planner's estimate. It reads
 * only the item or time index (no quantity filter), so it costs at most `cap` index entries.
 */
export function estimateSql(rows: PurchaseRows, cap: number): Sql {
  return sql`SELECT count(*) FROM (SELECT 1 FROM purchases WHERE ${join(rowFilters(rows, "set", { estimate: true }), " AND ")} LIMIT ${cap})`;
}
