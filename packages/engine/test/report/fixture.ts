import type { Db } from "../../src/store/store.js";
import { addMember, addPurchase, instant, type InstantInput } from "../support/store.js";

/*
 * The report fixture: a store written row by row — members, purchases, runs, outbox rows, coupon
 * codes — so every number of the report can be worked out by hand (below). Used by the engine's
 * report tests (the numbers) and by test/report.test.ts (the text, JSON and HTML goldens).
 *
 * Business zone Asia/Shanghai. The report is as of 2026-12-20 09:30; its period (the default 30
 * days) is (2026-11-20 09:30, 2026-12-20 09:30].
 *
 * shampoo-cross-sell (holdout 20%; goal bought brand "Head & Shoulders" within 14 days)
 *   run 1, as of 2026-12-05 09:30 — audience m01..m20:
 *     holdout    m01..m05                               5
 *     no-consent m06, m07                               2
 *     send (sms, coupon HS-20) m08..m20                13
 *       sent m08..m17 (10): delivered m08..m14 and m17 ("read") = 8, undelivered m15 (30003),
 *                           no receipt m16
 *       failed m18, m19 (21211), waiting m20 (queued, held for quiet hours)
 *     goal window (12-05 09:30, 12-19 09:30]; H&S purchases:
 *       m08 12-06, m09 12-07, m10 12-18, m14 12-19 09:30 (the last instant: counts)  → treatment 4/10
 *       m12 12-05 09:30 (the run's own instant: before the window), m13 12-19 09:31 (after it),
 *       m11 bought Pantene instead                                                   → not conversions
 *       m01 12-08 (holdout); m02 returned H&S 12-09 (a return is not "bought")       → holdout 1/5
 *       m06 12-10 (no consent, so targeted but not treated); m18 12-03 (before the run)
 *                                                                                     → targeted 5/15
 *     uplift 0.4 − 0.2 = 0.2; coupons: 13 codes, redeemed m08, m09, m10               → 3/13
 *   run 2, as of 2026-12-12 09:30 — audience m21..m23: m21 holdout; m22, m23 sent (delivered)
 *     goal window (12-12 09:30, 12-26 09:30], open: counted up to 12-20 09:30
 *       m22 12-15 → 1/2; m23's purchase on 12-21 lies after the report's as-of       → holdout 0/1
 *     coupons: 2 codes; m22's redeemed 12-15, m23's on 12-21 (after the as-of)        → 1/2
 * birthday-care (no holdout, no goal)
 *   run 3, as of 2026-12-10 09:00 — m03 wechat delivered, m04 wechat failed 43004, m05 sms sent (no
 *   receipt), m07 no-consent
 *
 * Loyalty KPIs (churn window 90 days):
 *   members 23 (m24 joins 12-25, after the as-of); new 3 (m21..m23 joined 12-01)
 *   active at the start (bought in (08-22 09:30, 11-20 09:30]): m01..m14 (Pantene 11-10) and
 *   m15..m20 (Pantene 09-01) = 20; churned = of those, no purchase in (09-21 09:30, 12-20 09:30]:
 *   m15, m16, m17, m19, m20 (m18 bought 12-03) = 5 → churn rate 0.25
 *   spend in the period: ten H&S purchases of 120 (m01 m06 m08 m09 m10 m12 m13 m14 m18 m22),
 *   m11's Pantene 90, m02's return −50 = 1,240; buyers 11 (m02 only returned);
 *   per member 1240/23 = 53.91, per buyer 1240/11 = 112.73
 *   coupons issued in the period 15, redeemed by the as-of 4 (m08 m09 m10 m22) → 4/15; 4 redemptions
 *   in the period
 */

export const ZONE = "Asia/Shanghai";
export const at = (local: string): number => instant(local, ZONE);

export const REPORT_AS_OF = at("2026-12-20T09:30");
export const RUN1_AS_OF = at("2026-12-05T09:30");
export const RUN2_AS_OF = at("2026-12-12T09:30");
export const RUN3_AS_OF = at("2026-12-10T09:00");

export const SHAMPOO = `campaign "shampoo-cross-sell" {
  holdout 20%
  when bought brand "Pantene" within 30 days, send coupon "HS-20" via sms
  goal bought brand "Head & Shoulders" within 14 days
}
`;

export const BIRTHDAY = `campaign "birthday-care" {
  when birthday within 7 days, send message "birthday" via wechat or sms
}
`;

export function addRun(db: Db, campaign: string, asOf: number, state: "planning" | "planned" = "planned"): number {
  return Number(
    db
      .prepare("INSERT INTO runs (campaign, slot, as_of, file, state, started_at, planned_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(campaign, asOf, asOf, `campaigns/${campaign}.campaign`, state, asOf, state === "planned" ? asOf : null).lastInsertRowid,
  );
}

export interface OutboxInput {
  readonly decision: string;
  readonly state?: "queued" | "sending" | "sent" | "failed" | "suppressed";
  readonly channel?: "sms" | "email" | "wechat";
  readonly provider?: string;
  readonly delivery?: string;
  readonly errorCode?: string;
  readonly deferredUntil?: number;
  readonly action?: number;
}

export function addOutbox(db: Db, runId: number, member: string, o: OutboxInput): void {
  const send = o.decision === "send";
  db.prepare(
    `INSERT INTO outbox (run_id, member_id, action, decision, marketing, planned_for, deferred_until, channel, message, address, content,
       state, not_before, provider, error_code, delivery)
     VALUES (?, ?, ?, ?, ?, (SELECT as_of FROM runs WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    member,
    o.action ?? 0,
    o.decision,
    send ? 1 : 0,
    runId,
    o.deferredUntil ?? null,
    send ? (o.channel ?? "sms") : null,
    send ? "coupon-issued" : null,
    send ? `+86138000000${member.slice(1)}` : null,
    send ? "{}" : null,
    o.state ?? (send ? "queued" : "suppressed"),
    o.deferredUntil ?? 0,
    o.provider ?? null,
    o.errorCode ?? null,
    o.delivery ?? null,
  );
}

export function issueCode(db: Db, code: string, member: string, runId: number, issuedAt: number): void {
  db.prepare("INSERT INTO coupon_codes (code, coupon, member_id, run_id, issued_at, expires_at) VALUES (?, 'HS-20', ?, ?, ?, NULL)").run(
    code,
    member,
    runId,
    issuedAt,
  );
}

export function redeem(db: Db, code: string, redeemedAt: number): void {
  db.prepare("INSERT INTO coupon_redemptions (code, redeemed_at, order_id, source, imported_at) VALUES (?, ?, NULL, 'fixture', 0)").run(
    code,
    redeemedAt,
  );
}

const member = (n: number): string => `m${String(n).padStart(2, "0")}`;
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => member(from + i));

/** H&S purchase of 120 (or a return) at a local Shanghai time. */
function hs(db: Db, id: string, when: InstantInput, order: string, quantity = 1): void {
  addPurchase(db, {
    member_id: id,
    order_id: order,
    sku: "HS-400",
    purchased_at: typeof when === "number" ? when : at(when),
    brand: "Head & Shoulders",
    category: "shampoo",
    quantity,
    amount: quantity < 0 ? -50 : 120,
  });
}

function pantene(db: Db, id: string, when: string, order: string, amount = 80): void {
  addPurchase(db, {
    member_id: id,
    order_id: order,
    sku: "PT-400",
    purchased_at: at(when),
    brand: "Pantene",
    category: "shampoo",
    amount,
  });
}

/** Writes the whole scenario above; the store must be empty and migrated. */
export function writeReportFixture(db: Db): void {
  db.transaction(() => {
    for (const id of range(1, 20))
      addMember(db, { id, name: `Member ${id}`, phone: `+8613800000${id.slice(1)}`, joined_at: at("2025-06-01T10:00") });
    for (const id of range(21, 23)) addMember(db, { id, phone: `+8613800000${id.slice(1)}`, joined_at: at("2026-12-01T10:00") });
    addMember(db, { id: "m24", joined_at: at("2026-12-25T10:00") });

    // Why they were in the audience (before the period: no spend in it).
    for (const id of range(1, 14)) pantene(db, id, "2026-11-10T12:00", `P-${id}`);
    for (const id of range(15, 20)) pantene(db, id, "2026-09-01T12:00", `P-${id}`);
    // Goal purchases and their near misses.
    hs(db, "m01", "2026-12-08T10:00", "H-m01");
    hs(db, "m02", "2026-12-09T10:00", "H-m02", -1);
    hs(db, "m06", "2026-12-10T10:00", "H-m06");
    hs(db, "m08", "2026-12-06T10:00", "H-m08");
    hs(db, "m09", "2026-12-07T10:00", "H-m09");
    hs(db, "m10", "2026-12-18T10:00", "H-m10");
    pantene(db, "m11", "2026-12-08T10:00", "H-m11", 90);
    hs(db, "m12", RUN1_AS_OF, "H-m12");
    hs(db, "m13", "2026-12-19T09:31", "H-m13");
    hs(db, "m14", "2026-12-19T09:30", "H-m14");
    hs(db, "m18", "2026-12-03T10:00", "H-m18");
    hs(db, "m22", "2026-12-15T10:00", "H-m22");
    hs(db, "m23", "2026-12-21T10:00", "H-m23");

    const run1 = addRun(db, "shampoo-cross-sell", RUN1_AS_OF);
    for (const id of range(1, 5)) addOutbox(db, run1, id, { decision: "holdout" });
    for (const id of ["m06", "m07"]) addOutbox(db, run1, id, { decision: "no-consent" });
    const sms = { decision: "send", channel: "sms", provider: "twilio" } as const;
    for (const id of range(8, 14)) addOutbox(db, run1, id, { ...sms, state: "sent", delivery: "delivered" });
    addOutbox(db, run1, "m15", { ...sms, state: "sent", delivery: "undelivered", errorCode: "30003" });
    addOutbox(db, run1, "m16", { ...sms, state: "sent" });
    addOutbox(db, run1, "m17", { ...sms, state: "sent", delivery: "read" });
    for (const id of ["m18", "m19"]) addOutbox(db, run1, id, { ...sms, state: "failed", errorCode: "21211" });
    addOutbox(db, run1, "m20", { decision: "send", channel: "sms", state: "queued", deferredUntil: at("2026-12-06T09:00") });
    for (const id of range(8, 20)) issueCode(db, `HS-${id.toUpperCase()}`, id, run1, RUN1_AS_OF);

    const run2 = addRun(db, "shampoo-cross-sell", RUN2_AS_OF);
    addOutbox(db, run2, "m21", { decision: "holdout" });
    for (const id of ["m22", "m23"]) {
      addOutbox(db, run2, id, { ...sms, state: "sent", delivery: "delivered" });
      issueCode(db, `HS-${id.toUpperCase()}`, id, run2, RUN2_AS_OF);
    }

    const run3 = addRun(db, "birthday-care", RUN3_AS_OF);
    const wechat = { decision: "send", channel: "wechat", provider: "wechat-official-account" } as const;
    addOutbox(db, run3, "m03", { ...wechat, state: "sent", delivery: "delivered" });
    addOutbox(db, run3, "m04", { ...wechat, state: "failed", errorCode: "43004" });
    addOutbox(db, run3, "m05", { ...sms, state: "sent" });
    addOutbox(db, run3, "m07", { decision: "no-consent" });
  })();
}

/** The redemptions of the scenario, straight into the table (the CSV importer has its own tests). */
export function writeFixtureRedemptions(db: Db): void {
  redeem(db, "HS-M08", at("2026-12-06T10:00"));
  redeem(db, "HS-M09", at("2026-12-07T10:00"));
  redeem(db, "HS-M10", at("2026-12-18T10:00"));
  redeem(db, "HS-M22", at("2026-12-15T10:00"));
  redeem(db, "HS-M23", at("2026-12-21T10:00"));
}
