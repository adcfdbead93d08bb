import type {
  BoughtNode,
  DurationNode,
  ItemFilterNode,
  LastPurchaseNode,
  PointsExpiringNode,
  QuantityNode,
  ReferredNode,
  SpentNode,
} from "@patron/dsl";
import { futureWindow, pastWindow, shift } from "../../time/windows.js";
import type { AudienceContext } from "./context.js";
import { and, join, list, not, sql, type Sql } from "./fragment.js";
import { compareAggregate, countShape, holds } from "./quantity.js";

/*
 * Conditions on a member's history: purchases, point lots, referred members. Each compiles to a
 * membership test against a non-correlated subquery, which SQLite evaluates once per query into
 * an ephemeral index, whatever the number of members:
 *
 *   exists           m.id IN (SELECT member_id FROM purchases WHERE <filter>)
 *   count/sum Q      m.id IN (SELECT member_id … GROUP BY member_id HAVING <aggregate Q>)
 *   … Q holds at 0   m.id NOT IN (SELECT member_id … GROUP BY member_id HAVING NOT (<aggregate Q>))
 *
 * The last form gives members without a single matching row the aggregate's value at zero rows
 * (count 0, sum 0) without an outer join. `member_id` is NOT NULL (and referred_by is filtered on
 * IS NOT NULL), so IN and NOT IN are never NULL: the tests are two-valued. The filters are ranges
 * on the indexed time columns, with bounds computed in JS by time/windows.ts.
 */

/** The column an item filter tests: a fixed whitelist. */
const ITEM_COLUMNS: Readonly<Record<Exclude<ItemFilterNode["by"], "anything">, Sql>> = {
  brand: sql`brand`,
  category: sql`category`,
  sku: sql`sku`,
};

function itemFilter(item: ItemFilterNode | undefined): Sql[] {
  if (!item || item.by === "anything" || item.names.length === 0) return [];
  const column = ITEM_COLUMNS[item.by];
  const names = item.names.map((n) => n.value);
  return [names.length === 1 ? sql`${column} = ${names[0] as string}` : sql`${column} IN (${list(names)})`];
}

/** `purchased_at` in (as-of − W, as-of], or ≤ as-of without a window. */
function timeFilter(column: Sql, window: DurationNode | undefined, ctx: AudienceContext): Sql[] {
  if (!window) return [sql`${column} <= ${ctx.asOf}`];
  const { after, upTo } = pastWindow(ctx.asOf, window.amount.value, window.unit, ctx.businessZone);
  return [sql`${column} > ${after}`, sql`${column} <= ${upTo}`];
}

function where(filters: readonly Sql[]): Sql {
  return join(filters, " AND ");
}

interface Source {
  /** The member id column of the rows: `member_id`, or `r.referred_by` for referrals. */
  readonly key: Sql;
  /** `purchases`, `point_lots`, `members AS r`. */
  readonly from: Sql;
  readonly filters: readonly Sql[];
}

function memberIn(source: Source): Sql {
  return sql`m.id IN (
  SELECT ${source.key} FROM ${source.from}
  WHERE ${where(source.filters)}
)`;
}

/** `aggregate Q` over each member's rows, members without rows taking `atZero` as the value. */
function aggregateHolds(source: Source, aggregate: Sql, q: QuantityNode): Sql {
  const test = compareAggregate(aggregate, q);
  if (!holds(q.op, 0, q.amount.value)) {
    return sql`m.id IN (
  SELECT ${source.key} FROM ${source.from}
  WHERE ${where(source.filters)}
  GROUP BY ${source.key} HAVING ${test}
)`;
  }
  return sql`m.id NOT IN (
  SELECT ${source.key} FROM ${source.from}
  WHERE ${where(source.filters)}
  GROUP BY ${source.key} HAVING NOT (${test})
)`;
}

/** A count quantity: plain existence where the count only matters as "some" or "none". */
function countHolds(source: Source, aggregate: Sql, q: QuantityNode): Sql {
  switch (countShape(q)) {
    case "some":
      return memberIn(source);
    case "none":
      return not(memberIn(source));
    case "compare":
      return aggregateHolds(source, aggregate, q);
  }
}

const PURCHASES: Sql = sql`purchases`;
const MEMBER_ID: Sql = sql`member_id`;
const BOUGHT_ROW: Sql = sql`quantity > 0`;

/** bought ITEM [Q times] [within W]: rows with quantity > 0; Q counts distinct orders. */
export function compileBought(node: BoughtNode, ctx: AudienceContext): Sql {
  const source: Source = {
    key: MEMBER_ID,
    from: PURCHASES,
    filters: [...itemFilter(node.item), ...timeFilter(sql`purchased_at`, node.window, ctx), BOUGHT_ROW],
  };
  if (!node.count) return memberIn(source);
  return countHolds(source, sql`count(DISTINCT order_id)`, node.count);
}

/** spent [on ITEM] Q [within W]: the net sum of amount, returns (negative rows) included. */
export function compileSpent(node: SpentNode, ctx: AudienceContext): Sql {
  const source: Source = {
    key: MEMBER_ID,
    from: PURCHASES,
    filters: [...itemFilter(node.item), ...timeFilter(sql`purchased_at`, node.window, ctx)],
  };
  // total() is 0.0, never NULL, and a float, as the per-member evaluator's sum is.
  return aggregateHolds(source, sql`total(amount)`, node.amount);
}

/**
 * last purchase [of ITEM] op N UNITS ago. With t the latest bought row at or before as-of and
 * b = as-of − N units, each case is a test of which time ranges hold a bought row — plain range
 * scans on the time indexes, no per-member max():
 *
 *   more than   t < b           some row before b, none in [b, as-of]
 *   at least    t ≤ b           some row at or before b, none in (b, as-of]
 *   less than   t > b           some row in (b, as-of]
 *   at most     t ≥ b           some row in [b, as-of]
 *   exactly     b' < t ≤ b      some row in (b', b], none in (b, as-of]; b' = as-of − (N+1) units
 */
export function compileLastPurchase(node: LastPurchaseNode, ctx: AudienceContext): Sql {
  const { amount, unit } = node.ago;
  const b = shift(ctx.asOf, amount.value, unit, -1, ctx.businessZone);
  const item = itemFilter(node.item);
  const rows = (...range: Sql[]): Sql => memberIn({ key: MEMBER_ID, from: PURCHASES, filters: [...item, ...range, BOUGHT_ROW] });
  const at = sql`purchased_at`;
  const exactly = (): Sql => {
    const b2 = shift(ctx.asOf, amount.value + 1, unit, -1, ctx.businessZone);
    return and([rows(sql`${at} > ${b2}`, sql`${at} <= ${b}`), not(rows(sql`${at} > ${b}`, sql`${at} <= ${ctx.asOf}`))]);
  };
  switch (node.op) {
    case ">":
      return and([rows(sql`${at} < ${b}`), not(rows(sql`${at} >= ${b}`, sql`${at} <= ${ctx.asOf}`))]);
    case ">=":
      return and([rows(sql`${at} <= ${b}`), not(rows(sql`${at} > ${b}`, sql`${at} <= ${ctx.asOf}`))]);
    case "<":
      return rows(sql`${at} > ${b}`, sql`${at} <= ${ctx.asOf}`);
    case "<=":
      return rows(sql`${at} >= ${b}`, sql`${at} <= ${ctx.asOf}`);
    case "=":
      return exactly();
    case "!=":
      // Not a word the language offers; "there is a last purchase and it is not exactly N ago".
      return and([rows(sql`${at} <= ${ctx.asOf}`), not(exactly())]);
  }
}

/** points expiring within W Q: lots earned by as-of whose expiry is in (as-of, as-of + W]. */
export function compilePointsExpiring(node: PointsExpiringNode, ctx: AudienceContext): Sql {
  const { after, upTo } = futureWindow(ctx.asOf, node.window.amount.value, node.window.unit, ctx.businessZone);
  const source: Source = {
    key: MEMBER_ID,
    from: sql`point_lots`,
    filters: [sql`expires_at > ${after}`, sql`expires_at <= ${upTo}`, sql`earned_at <= ${ctx.asOf}`],
  };
  return aggregateHolds(source, sql`total(points)`, node.amount);
}

/**
 * referred Q members [within W]: members r with r.referred_by = m.id, counted at r.joined_at,
 * which must be known and not after as-of. The partial index members_referred_by (referred_by,
 * joined_at) WHERE referred_by IS NOT NULL covers the subquery; the IS NOT NULL lets SQLite use it.
 */
export function compileReferred(node: ReferredNode, ctx: AudienceContext): Sql {
  const source: Source = {
    key: sql`r.referred_by`,
    from: sql`members AS r`,
    filters: [sql`r.referred_by IS NOT NULL`, ...timeFilter(sql`r.joined_at`, node.window, ctx)],
  };
  return countHolds(source, sql`count(*)`, node.count);
}
