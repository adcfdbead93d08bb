import { describe, expect, it } from "vitest";
import { quietUntil } from "../../src/plan/policies.js";
import { inQuietHours } from "./oracle.js";
import type { CampaignSpec, MemberSpec, Scenario } from "./scenario.js";
import { World } from "./world.js";

/*
 * The smallest cases the property tests shrank their failures to, kept by name. Each states what
 * the member should experience; see the report of the policy property tests for cause and fix.
 */

const member = (timezone: string): MemberSpec => ({
  id: "m01",
  name: "Ada",
  tier: "gold",
  timezone,
  phone: "+8613800000001",
  email: null,
  wechat: null,
  consent: { sms: true, email: null, wechat: null },
});

const offer = (limit?: CampaignSpec["limit"]): CampaignSpec => ({
  id: "offer",
  holdout: 0,
  priority: 0,
  minTier: "gold",
  slotPerRun: true,
  sends: [{ kind: "message", messages: [{ name: "offer", percent: 100 }], via: ["sms"] }],
  ...(limit ? { limit } : {}),
});

const world = (s: Pick<Scenario, "members" | "campaigns" | "runs"> & Partial<Scenario>): World =>
  new World({
    businessZone: "Asia/Shanghai",
    purposes: { offer: "marketing", "offer-b": "marketing", notice: "service", "coupon-a": "marketing", "coupon-b": "marketing" },
    coupons: [],
    optOuts: [],
    ...s,
  }).playAll();

/** When each planned message reaches the member: at once, or when its quiet hours end. */
const deliveries = (w: World): string[] =>
  w.rows("decision = 'send'").map((r) => new Date(r.deferred_until ?? r.planned_for).toISOString());

describe("regressions found by the policy properties", () => {
  it("frequency cap: a message held by quiet hours counts on the day the member gets it, so a second one that day is capped", () => {
    // Cap 1 a day, quiet 21:00–09:00 Shanghai. 22:00 on 5 Dec: held until 09:00 on 6 Dec.
    // 08:00 on 6 Dec: 6 Dec's window looks empty (the first message is counted on 5 Dec), so a
    // second one is planned, held until 09:00 too: two marketing messages at 09:00 on 6 Dec.
    const w = world({
      frequencyCap: { messages: 1, days: 1 },
      quietHours: { from: { hour: 21, minute: 0 }, until: { hour: 9, minute: 0 } },
      members: [member("Asia/Shanghai")],
      campaigns: [offer()],
      runs: ["2026-12-05T14:00:00.000Z", "2026-12-06T00:00:00.000Z"],
    });
    expect(deliveries(w)).toEqual(["2026-12-06T01:00:00.000Z"]);
  });

  it("campaign limit: `once every 1 day` counts from delivery, so two messages never arrive 23 hours apart", () => {
    // Quiet 21:00–09:00 New York. 22:00 EST on 6 Mar: held until 09:00 EST on 7 Mar (14:00Z).
    // 24 h 1 min later (22:01 EST on 7 Mar) the limit has passed, held until 09:00 EDT on 8 Mar
    // (13:00Z; clocks went forward that night): the two arrive 23 hours apart.
    const w = world({
      businessZone: "America/New_York",
      quietHours: { from: { hour: 21, minute: 0 }, until: { hour: 9, minute: 0 } },
      members: [member("America/New_York")],
      campaigns: [offer({ times: 1, days: 1 })],
      runs: ["2026-03-07T03:00:00.000Z", "2026-03-08T03:01:00.000Z"],
    });
    expect(deliveries(w)).toEqual(["2026-03-07T14:00:00.000Z"]);
  });

  it("quiet hours ending in a daylight-saving gap end when the clocks jump past them, not half an hour later", () => {
    // Quiet 21:00–02:30 New York. On 8 March 2026 clocks jump from 02:00 EST to 03:00 EDT
    // (07:00Z), so 02:30 never comes: quiet hours are over at 07:00Z. quietUntil holds the
    // message until 03:30 EDT (07:30Z) instead — luxon moves the missing 02:30 forward by the gap.
    const quiet = { from: { hour: 21, minute: 0 }, until: { hour: 2, minute: 30 } };
    expect(new Date(quietUntil(quiet, Date.parse("2026-03-08T02:00:00Z"), "America/New_York") ?? 0).toISOString()).toBe(
      "2026-03-08T07:00:00.000Z",
    );
  });

  it("quiet hours whose allowed hour falls in a daylight-saving gap hold the message to the next day, not into quiet hours", () => {
    // Quiet 02:59–02:00 New York: only 02:00–02:59 is allowed, and on 8 March 2026 that hour does
    // not exist. Planned at 15:00 EST on 7 March, the message is held until 03:00 EDT on 8 March
    // (07:00Z) — inside quiet hours. The first allowed instant is 02:00 EDT on 9 March (06:00Z).
    const quiet = { from: { hour: 2, minute: 59 }, until: { hour: 2, minute: 0 } };
    const until = quietUntil(quiet, Date.parse("2026-03-07T20:00:00Z"), "America/New_York") ?? 0;
    expect(inQuietHours(quiet, until, "America/New_York"), `held until ${new Date(until).toISOString()}`).toBe(false);
    expect(new Date(until).toISOString()).toBe("2026-03-09T06:00:00.000Z");
  });
});
