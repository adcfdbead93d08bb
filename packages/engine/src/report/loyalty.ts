import type { Db } from "../store/store.js";
import { periodCoupons, type CouponReport } from "./coupons.js";
import { money, ratio } from "./numbers.js";

/*
 * The loyalty programme's KPIs over a period (from, to]:
 * - members: who exist at `to` (joined by then, or with no join date);
 * - new members: joined in the period;
 * - churn, with a churn window of N days (default 90): a member is active at an instant when they
 *   bought something (quantity > 0) in the N days before it. Active at the start are the members
 *   active at `from`; churned are those of them not active at `to` — no purchase in the last N
 *   days. churnRate = churned / activeAtStart, the share of the active base the period lost.
 * - coupons: the codes issued in the period and how many were redeemed by `to`, and the
 *   redemptions recorded in the period (of codes issued at any time);
 * - spend: net sum of amounts in the period (returns subtract), per member (every member at `to`)
 *   and per buyer (members with a purchase in the period).
 */

export interface LoyaltyKpis {
  readonly from: number;
  readonly to: number;
  readonly churnDays: number;
  readonly members: number;
  readonly newMembers: number;
  readonly activeAtStart: number;
  readonly churned: number;
  readonly churnRate: number | null;
  readonly coupons: CouponReport & { readonly redemptionsInPeriod: number };
  readonly spend: {
    readonly total: number;
    readonly buyers: number;
    readonly perMember: number | null;
    readonly perBuyer: number | null;
  };
}

const DAY_MS = 86_400_000;

export function loyaltyKpis(db: Db, from: number, to: number, churnDays: number): LoyaltyKpis {
  const count = (sql: string, ...params: number[]): number =>
    db
      .prepare<number[], number>(sql)
      .pluck()
      .get(...params) as number;
  const members = count("SELECT count(*) FROM members WHERE joined_at IS NULL OR joined_at <= ?", to);
  const newMembers = count("SELECT count(*) FROM members WHERE joined_at > ? AND joined_at <= ?", from, to);
  const window = churnDays * DAY_MS;
  // Active at the start, through the time index; then, per such member, one probe of their
  // purchases in the last N days through purchases_member_time.
  const churn = db
    .prepare<[number, number, number, number], { active: number; churned: number }>(
      `WITH active AS (
         SELECT DISTINCT member_id FROM purchases WHERE purchased_at > ? AND purchased_at <= ? AND quantity > 0
       )
       SELECT count(*) AS active,
              total(NOT EXISTS (
                SELECT 1 FROM purchases AS p
                WHERE p.member_id = a.member_id AND p.purchased_at > ? AND p.purchased_at <= ? AND p.quantity > 0
              )) AS churned
       FROM active AS a`,
    )
    .get(from - window, from, to - window, to) as { active: number; churned: number };
  const spend = db
    .prepare<[number, number], { total: number; buyers: number }>(
      `SELECT total(amount) AS total, count(DISTINCT CASE WHEN quantity > 0 THEN member_id END) AS buyers
       FROM purchases WHERE purchased_at > ? AND purchased_at <= ?`,
    )
    .get(from, to) as { total: number; buyers: number };
  return {
    from,
    to,
    churnDays,
    members,
    newMembers,
    activeAtStart: churn.active,
    churned: churn.churned,
    churnRate: ratio(churn.churned, churn.active),
    coupons: periodCoupons(db, from, to),
    spend: {
      total: money(spend.total),
      buyers: spend.buyers,
      perMember: members > 0 ? money(spend.total / members) : null,
      perBuyer: spend.buyers > 0 ? money(spend.total / spend.buyers) : null,
    },
  };
}
