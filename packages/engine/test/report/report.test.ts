import { describe, expect, it } from "vitest";
import { buildReport, type Report } from "../../src/report/report.js";
import { checkProgram, ENGINE_TEST_ENV } from "../support/campaigns.js";
import { memoryStore } from "../support/store.js";
import { at, BIRTHDAY, REPORT_AS_OF, SHAMPOO, writeFixtureRedemptions, writeReportFixture } from "./fixture.js";

// The numbers of the report on the hand-computed fixture: every expected value below is worked
// out in fixture.ts from the rows it writes, not read off the code's output.

function report(
  options: { readonly campaign?: string; readonly asOf?: number; readonly from?: number; readonly withCampaigns?: boolean } = {},
): Report {
  const db = memoryStore();
  writeReportFixture(db);
  writeFixtureRedemptions(db);
  const program = checkProgram({ "campaigns/shampoo.campaign": SHAMPOO, "campaigns/birthday.campaign": BIRTHDAY });
  return buildReport(db, {
    asOf: options.asOf ?? REPORT_AS_OF,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.campaign === undefined ? {} : { campaign: options.campaign }),
    campaigns: options.withCampaigns === false ? [] : program.campaigns,
    env: ENGINE_TEST_ENV,
    segments: program.segments,
  });
}

describe("report: runs", () => {
  const all = report();

  it("lists every run of the period, by campaign then as-of", () => {
    expect(all.runs.map((r) => [r.campaign, r.asOf])).toEqual([
      ["birthday-care", "2026-12-10T09:00:00+08:00"],
      ["shampoo-cross-sell", "2026-12-05T09:30:00+08:00"],
      ["shampoo-cross-sell", "2026-12-12T09:30:00+08:00"],
    ]);
    expect(all).toMatchObject({ asOf: "2026-12-20T09:30:00+08:00", from: "2026-11-20T09:30:00+08:00", timezone: "Asia/Shanghai" });
  });

  it("counts the funnel of run 1 from its outbox rows", () => {
    // The funnel is run.ts's runFunnel (docs/delivery.md): only the fields this fixture sets.
    expect(all.runs[1]?.funnel).toMatchObject({
      audience: 20,
      suppressed: {
        holdout: 5,
        "no-address": 0,
        "no-consent": 2,
        limit: 0,
        "frequency-cap": 0,
        "coupon-exhausted": 0,
        "template-error": 0,
      },
      planned: { sms: 13, email: 0, wechat: 0 },
      deferred: 1,
    });
  });

  it("says what became of the messages, by provider and code", () => {
    expect(all.runs[1]?.delivery).toEqual({
      planned: 13,
      waiting: 1,
      sent: 10,
      delivered: 8,
      undelivered: 1,
      noReceipt: 1,
      failed: 2,
      byProvider: [{ provider: "twilio", sent: 10, delivered: 8, undelivered: 1, noReceipt: 1, failed: 2 }],
      codes: [
        { provider: "twilio", code: "21211", stage: "send", messages: 2 },
        { provider: "twilio", code: "30003", stage: "delivery", messages: 1 },
      ],
    });
    expect(all.runs[0]?.delivery.byProvider).toEqual([
      { provider: "twilio", sent: 1, delivered: 0, undelivered: 0, noReceipt: 1, failed: 0 },
      { provider: "wechat-official-account", sent: 1, delivered: 1, undelivered: 0, noReceipt: 0, failed: 1 },
    ]);
    expect(all.runs[0]?.delivery.codes).toEqual([{ provider: "wechat-official-account", code: "43004", stage: "send", messages: 1 }]);
  });

  it("measures the goal for treatment, holdout and the targeted members, with the uplift", () => {
    const goal = all.runs[1]?.goal;
    expect(goal).toMatchObject({
      condition: 'bought brand "Head & Shoulders" within 14 days',
      from: "2026-12-05T09:30:00+08:00",
      end: "2026-12-19T09:30:00+08:00",
      until: "2026-12-19T09:30:00+08:00",
      complete: true,
      treatment: { members: 10, conversions: 4, rate: 0.4 },
      holdout: { members: 5, conversions: 1, rate: 0.2 },
      targeted: { members: 15, conversions: 5, rate: 0.333333 },
      uplift: { difference: 0.2, significant: false },
    });
    // Wilson and Newcombe bounds, worked by hand in intervals.test.ts.
    expect(goal?.treatment.ci?.[0]).toBeCloseTo(0.16818, 5);
    expect(goal?.treatment.ci?.[1]).toBeCloseTo(0.687326, 5);
    expect(goal?.uplift?.ci[0]).toBeCloseTo(-0.283644, 5);
    expect(goal?.uplift?.ci[1]).toBeCloseTo(0.530725, 5);
  });

  it("counts an open goal window up to the report's as-of and says it is open", () => {
    expect(all.runs[2]?.goal).toMatchObject({
      end: "2026-12-26T09:30:00+08:00",
      until: "2026-12-20T09:30:00+08:00",
      complete: false,
      treatment: { members: 2, conversions: 1, rate: 0.5 },
      holdout: { members: 1, conversions: 0, rate: 0 },
    });
  });

  it("gives no goal for a campaign without one, and a note when the campaign is gone", () => {
    expect(all.runs[0]?.goal).toBeNull();
    expect(all.runs[0]?.notes).toEqual([]);
    const gone = report({ withCampaigns: false });
    expect(gone.runs[1]?.goal).toBeNull();
    expect(gone.runs[1]?.notes).toEqual([
      'campaign "shampoo-cross-sell" is not in the repository or does not check now: its goal is not measured',
    ]);
  });

  it("reports the coupon redemption rate of each run, redemptions after the as-of left out", () => {
    expect(all.runs[1]?.coupons).toEqual({
      issued: 13,
      redeemed: 3,
      rate: 0.230769,
      byCoupon: [{ coupon: "HS-20", issued: 13, redeemed: 3, rate: 0.230769 }],
    });
    expect(all.runs[2]?.coupons).toMatchObject({ issued: 2, redeemed: 1, rate: 0.5 });
    expect(all.runs[0]?.coupons).toEqual({ issued: 0, redeemed: 0, rate: null, byCoupon: [] });
  });

  it("reports one campaign, and only runs inside the period", () => {
    expect(report({ campaign: "birthday-care" }).runs.map((r) => r.campaign)).toEqual(["birthday-care"]);
    expect(report({ from: at("2026-12-06T00:00") }).runs.map((r) => r.asOf)).toEqual([
      "2026-12-10T09:00:00+08:00",
      "2026-12-12T09:30:00+08:00",
    ]);
  });

  it("replays an earlier as-of: later runs do not exist, later purchases are not counted", () => {
    const early = report({ asOf: at("2026-12-10T09:30") });
    expect(early.runs.map((r) => r.asOf)).toEqual(["2026-12-10T09:00:00+08:00", "2026-12-05T09:30:00+08:00"]);
    // By 12-10 09:30: m08 (12-06) and m09 (12-07) in treatment; m01 (12-08) in holdout; m06
    // buys at 10:00 that day, after the as-of.
    expect(early.runs[1]?.goal).toMatchObject({
      until: "2026-12-10T09:30:00+08:00",
      complete: false,
      treatment: { conversions: 2 },
      holdout: { conversions: 1 },
      targeted: { conversions: 2 },
    });
    expect(early.runs[1]?.coupons).toMatchObject({ redeemed: 2 });
  });
});

describe("report: loyalty KPIs", () => {
  it("counts members, churn, coupons and spend over the period", () => {
    expect(report().loyalty).toEqual({
      from: "2026-11-20T09:30:00+08:00",
      to: "2026-12-20T09:30:00+08:00",
      churnDays: 90,
      members: 23,
      newMembers: 3,
      activeAtStart: 20,
      churned: 5,
      churnRate: 0.25,
      coupons: {
        issued: 15,
        redeemed: 4,
        rate: 0.266667,
        byCoupon: [{ coupon: "HS-20", issued: 15, redeemed: 4, rate: 0.266667 }],
        redemptionsInPeriod: 4,
      },
      spend: { total: 1240, buyers: 11, perMember: 53.91, perBuyer: 112.73 },
    });
  });

  it("rejects a period that does not start before the as-of", () => {
    expect(() => report({ from: REPORT_AS_OF })).toThrow(/must start before its as-of/);
  });
});
