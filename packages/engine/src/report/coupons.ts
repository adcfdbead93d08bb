import type { Db } from "../store/store.js";
import { ratio } from "./numbers.js";

/*
 * Coupon redemption: of the codes issued, those redeemed (coupon_redemptions) by the report's
 * as-of. Every code issued counts, whether or not its message reached the member: a code whose
 * message failed is a code the business handed out and can still be used at the till.
 */

export interface CouponRedemption {
  readonly coupon: string;
  readonly issued: number;
  readonly redeemed: number;
  /** redeemed / issued; null when none was issued. */
  readonly rate: number | null;
}

export interface CouponReport {
  readonly issued: number;
  readonly redeemed: number;
  readonly rate: number | null;
  /** Per coupon name, by name. */
  readonly byCoupon: readonly CouponRedemption[];
}

/** The coupons one run issued, and how many of them were redeemed by `asOf`. */
export function runCoupons(db: Db, runId: number, asOf: number): CouponReport {
  const rows = db
    .prepare<[number, number], { coupon: string; issued: number; redeemed: number }>(
      `SELECT c.coupon, count(*) AS issued, count(r.code) AS redeemed
       FROM coupon_codes AS c LEFT JOIN coupon_redemptions AS r ON r.code = c.code AND r.redeemed_at <= ?
       WHERE c.run_id = ?
       GROUP BY c.coupon ORDER BY c.coupon`,
    )
    .all(asOf, runId);
  return couponReport(rows);
}

/** The codes issued in (from, to], and how many of them were redeemed by `to`. */
export function periodCoupons(db: Db, from: number, to: number): CouponReport & { readonly redemptionsInPeriod: number } {
  const rows = db
    .prepare<[number, number, number], { coupon: string; issued: number; redeemed: number }>(
      `SELECT c.coupon, count(*) AS issued, count(r.code) AS redeemed
       FROM coupon_codes AS c LEFT JOIN coupon_redemptions AS r ON r.code = c.code AND r.redeemed_at <= ?
       WHERE c.issued_at > ? AND c.issued_at <= ?
       GROUP BY c.coupon ORDER BY c.coupon`,
    )
    .all(to, from, to);
  const redemptionsInPeriod = db
    .prepare<[number, number], number>("SELECT count(*) FROM coupon_redemptions WHERE redeemed_at > ? AND redeemed_at <= ?")
    .pluck()
    .get(from, to) as number;
  return { ...couponReport(rows), redemptionsInPeriod };
}

function couponReport(rows: readonly { coupon: string; issued: number; redeemed: number }[]): CouponReport {
  const issued = rows.reduce((a, r) => a + r.issued, 0);
  const redeemed = rows.reduce((a, r) => a + r.redeemed, 0);
  return {
    issued,
    redeemed,
    rate: ratio(redeemed, issued),
    byCoupon: rows.map((r) => ({ coupon: r.coupon, issued: r.issued, redeemed: r.redeemed, rate: ratio(r.redeemed, r.issued) })),
  };
}
