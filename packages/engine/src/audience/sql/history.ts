import type { DurationNode, PointsExpiringNode, QuantityNode, ReferredNode } from "@patron/dsl";
import { futureWindow, pastWindow } from "../../time/windows.js";
import type { AudienceContext } from "./context.js";
import { join, sql, type Sql } from "./fragment.js";
import { compareAggregate, countShape, holds } from "./quantity.js";

/*
 * Point lots and referred members. Each compiles to a membership test against a non-correlated
 * subquery, which SQLite evaluates once per query into an ephemeral index (measured faster here
 * than a probe per member: the lots in a window and the referrals are few, and their indexes
 * cover the subqueries):
 *
 *   exists           m.id IN (SELECT r.referred_by FROM members AS r WHERE <filter>)
 *   count/sum Q      m.id IN (SELECT member_id … GROUP BY member_id HAVING <aggregate Q>)
 *   … Q holds at 0   m.id NOT IN (SELECT member_id … GROUP BY member_id HAVING NOT (<aggregate Q>))
 *
 * The last form gives members without a single matching row the aggregate's value at zero rows
 * (count 0, sum 0) without an outer join. `member_id` is NOT NULL (and referred_by is filtered on
 * IS NOT NULL), so IN and NOT IN are never NULL: the tests are two-valued. The filters are ranges
 * on the indexed time columns, with bounds computed in JS by time/windows.ts. (Purchases, where
 * a probe per member is often faster, are in purchases.ts and planner.ts.)
 */

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

function memberIn(source: Source, negated = false): Sql {
  const test = negated ? sql`m.id NOT IN` : sql`m.id IN`;
  return sql`${test} (
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
      return memberIn(source, true);
    case "compare":
      return aggregateHolds(source, aggregate, q);
  }
}

/** points expiring within W Q: lots earned by as-of whose expiry is in (as-of, as-of + W]. */
export function compilePointsExpiring(node: PointsExpiringNode, ctx: AudienceContext): Sql {
  const { after, upTo } = futureWindow(ctx.asOf, node.window.amount.value, node.window.unit, ctx.businessZone);
  const source: Source = {
    key: sql`member_id`,
    from: sql`point_lots`,
    filters: [sql`expires_at > ${after}`, sql`expires_at <= ${upTo}`, sql`earned_at <= ${ctx.asOf}`],
  };
  return aggregateHolds(source, sql`total(points)`, node.amount);
}

/** r.joined_at in the window, or known and ≤ as-of: the partial index holds joined_at, no `+`. */
function referralTime(window: DurationNode | undefined, ctx: AudienceContext): Sql[] {
  if (!window) return [sql`r.joined_at <= ${ctx.asOf}`];
  const { after, upTo } = pastWindow(ctx.asOf, window.amount.value, window.unit, ctx.businessZone);
  return [sql`r.joined_at > ${after}`, sql`r.joined_at <= ${upTo}`];
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
    filters: [sql`r.referred_by IS NOT NULL`, ...referralTime(node.window, ctx)],
  };
  return countHolds(source, sql`count(*)`, node.count);
}
