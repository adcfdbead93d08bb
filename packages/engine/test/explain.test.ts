import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "../src/store/store.js";
import { explainMember, renderExplanation, UnknownMemberError, type AudienceContext } from "../src/audience/rules/index.js";
import { ENGINE_TEST_ENV, checkCampaign } from "./support/campaigns.js";
import { expectGolden } from "../../../test/support/golden.js";
import { addMember, addPointLot, addPurchase, instant, memoryStore } from "./support/store.js";

/*
 * `patron explain FILE --member ID`, as the marketer reads it: each condition of a realistic
 * campaign, true or false, with what it saw in plain words. Golden files (golden/explain/) pin
 * the text and the JSON shape down; UPDATE_GOLDEN=1 rewrites them.
 */

const GOLDEN = join(import.meta.dirname, "golden", "explain");
const ZONE = "Asia/Shanghai";
const AS_OF = instant("2026-12-05T09:30", ZONE);
const DAY = 86_400_000;

const SEGMENTS = `# Platinum and diamond members who have not bought for three months.
segment lapsed_vip = tier >= platinum and last purchase more than 90 days ago
`;

const CAMPAIGN = `campaign "vip-birthday" {
  description "Quiet VIPs with a birthday this week get a gift, if they are worth it"
  when member in segment lapsed_vip
    and birthday within 7 days
    and (spent at least 500 within 365 days or points expiring within 30 days >= 500)
    and city in ("上海", "北京")
    and not bought brand "Head & Shoulders" within 90 days,
  send message "birthday" via wechat or sms
}
`;

function data(): Db {
  const db = memoryStore();
  // Selected: a diamond member in Shanghai with a birthday in six days.
  addMember(db, { id: "M1001", tier: "Diamond", city: "上海", birthday: "1988-12-11", joined_at: "2021-03-02T10:00+08:00" });
  addPurchase(db, { member_id: "M1001", order_id: "A1", brand: "Olay", amount: 420, purchased_at: "2026-08-14T19:05+08:00" });
  addPurchase(db, { member_id: "M1001", order_id: "A2", brand: "Pantene", amount: 180, purchased_at: "2026-06-02T12:40+08:00" });
  addPurchase(db, {
    member_id: "M1001",
    order_id: "A3",
    brand: "Pantene",
    amount: -60,
    quantity: -1,
    purchased_at: "2026-06-09T12:00+08:00",
  });
  addPointLot(db, { member_id: "M1001", points: 300, earned_at: "2025-12-20T00:00+08:00", expires_at: "2026-12-20T00:00+08:00" });
  // Not selected: no city, a Head & Shoulders order last month, points only expiring later, and
  // in Pago Pago (−11) it is still 4 December, so a birthday on the 11th is eight days away.
  addMember(db, {
    id: "M1002",
    tier: "platinum",
    birthday: "1992-12-11",
    timezone: "Pacific/Pago_Pago",
    joined_at: "2023-05-20T09:00+08:00",
  });
  addPurchase(db, { member_id: "M1002", order_id: "B1", brand: "Head & Shoulders", amount: 89, purchased_at: AS_OF - 20 * DAY });
  addPointLot(db, { member_id: "M1002", points: 800, earned_at: "2026-01-10T00:00+08:00", expires_at: "2027-01-10T00:00+08:00" });
  // Joined after the as-of time: in no audience yet.
  addMember(db, { id: "M1003", tier: "diamond", city: "北京", birthday: "1990-12-06", joined_at: AS_OF + 3_600_000 });
  return db;
}

function context(): { campaign: ReturnType<typeof checkCampaign>["campaign"]; ctx: AudienceContext } {
  const { campaign, segments } = checkCampaign(CAMPAIGN, { segments: SEGMENTS, path: "campaigns/vip-birthday.campaign" });
  return { campaign, ctx: { env: ENGINE_TEST_ENV, segments, asOf: AS_OF } };
}

describe("patron explain", () => {
  it.each(["M1001", "M1002", "M1003"])("explains the campaign for member %s in plain words", async (id) => {
    const { campaign, ctx } = context();
    const explanation = await explainMember(data(), campaign, id, ctx);
    expectGolden(join(GOLDEN, `vip-birthday.${id}.txt`), renderExplanation(explanation));
  });

  it("gives the same in JSON, with the values each condition observed", async () => {
    const { campaign, ctx } = context();
    const explanation = await explainMember(data(), campaign, "M1001", ctx);
    expectGolden(join(GOLDEN, "vip-birthday.M1001.json"), JSON.stringify(explanation, null, 2));
  });

  it("agrees with itself: selected exactly when the member exists and the condition holds", async () => {
    const { campaign, ctx } = context();
    const db = data();
    const verdicts = await Promise.all(["M1001", "M1002", "M1003"].map((id) => explainMember(db, campaign, id, ctx)));
    expect(verdicts.map((e) => [e.member, e.selected, e.exists.result, e.condition.result])).toEqual([
      ["M1001", true, true, true],
      ["M1002", false, true, false],
      ["M1003", false, false, false],
    ]);
  });

  it("names an unknown member and suggests a near id", async () => {
    const { campaign, ctx } = context();
    const error = await explainMember(data(), campaign, "M1O01", ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownMemberError);
    expect((error as Error).message).toBe('no member with id "M1O01"; did you mean "M1001"?');
  });
});
