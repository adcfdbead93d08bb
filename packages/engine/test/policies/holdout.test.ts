import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHoldout, seen } from "./properties.js";
import { scenario, type CampaignSpec, type MemberSpec } from "./scenario.js";
import { SEED, runs } from "./seed.js";
import { World } from "./world.js";

/*
 * Property 2 (holdout) across databases: whether a member is held out depends only on (campaign,
 * member) — not on the other members, the other campaigns or the order members were imported in —
 * and on a large audience the share held out is the configured percentage, within sampling error.
 * (Within one database — nothing sent to a holdout member, the same in every run — see planning.test.ts.)
 */

const worlds = scenario({ members: 10, campaigns: 3, runs: 4 });

/** Members only the other database has. */
const STRANGERS: readonly MemberSpec[] = ["zz-1", "zz-2", "zz-3"].map((id) => ({
  id,
  name: id,
  tier: "diamond",
  timezone: "Pacific/Kiritimati",
  phone: `+1555${id.slice(3)}`,
  email: null,
  wechat: null,
  consent: { sms: true, email: null, wechat: null },
}));

describe("holdout (property 2)", () => {
  it("holds out the same members whatever else the database holds and in whatever order they were imported", () => {
    fc.assert(
      fc.property(worlds, fc.nat(), fc.integer({ min: 0, max: 1000 }), (s, pick, salt) => {
        const first = checkHoldout(new World(s).playAll());
        // Another database: other members too, imported in another order; one campaign planned alone; no opt-outs.
        const campaign = s.campaigns[pick % s.campaigns.length] as CampaignSpec;
        const members = [...s.members, ...STRANGERS];
        const order = [...members].sort((a, b) => hash(a.id, salt) - hash(b.id, salt));
        const alone = new World({ ...s, members, campaigns: [campaign], optOuts: [] }, { memberOrder: order }).playAll();
        for (const [key, held] of checkHoldout(alone)) {
          if (first.has(key)) expect(held, `${key} in another database`).toBe(first.get(key));
        }
      }),
      { seed: SEED + 1, numRuns: runs(150) },
    );
    expect(seen.heldOut).toBeGreaterThan(50);
  });

  it("holds out the configured share of a large audience", () => {
    const size = 3000;
    const members: MemberSpec[] = Array.from({ length: size }, (_, i) => ({
      id: `L${i}`,
      name: `n${i}`,
      tier: "gold",
      timezone: null,
      phone: `+8613${String(i).padStart(9, "0")}`,
      email: null,
      wechat: null,
      consent: { sms: true, email: null, wechat: null },
    }));
    const base = new World({
      businessZone: "Asia/Shanghai",
      purposes: { offer: "marketing", "offer-b": "marketing", notice: "service", "coupon-a": "marketing", "coupon-b": "marketing" },
      coupons: [],
      members,
      campaigns: [],
      runs: ["2026-12-05T01:30:00.000Z"],
      optOuts: [],
    });
    const filled = base.db.serialize();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.constantFrom("a", "vip", "回访-2027", "x".repeat(40)), (holdout, id) => {
        const spec: CampaignSpec = {
          id,
          holdout,
          priority: 0,
          minTier: "gold",
          slotPerRun: true,
          sends: [{ kind: "message", messages: [{ name: "offer", percent: 100 }], via: ["sms"] }],
        };
        const world = new World({ ...base.scenario, campaigns: [spec] }, { store: new Database(filled) });
        world.plan(0);
        const held = world.runs[0]?.funnel.suppressed.holdout ?? -1;
        const p = holdout / 100;
        // Four standard deviations of a binomial share, and half a member for rounding.
        const tolerance = 4 * Math.sqrt((p * (1 - p)) / size) + 0.5 / size;
        expect(Math.abs(held / size - p), `${id}: ${held} of ${size} held out for holdout ${holdout}%`).toBeLessThanOrEqual(tolerance);
        if (holdout === 0) expect(held).toBe(0);
      }),
      { seed: SEED + 11, numRuns: runs(12) },
    );
  });
});

/** A member order that differs per salt (FNV-1a). */
function hash(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
  return h >>> 0;
}
