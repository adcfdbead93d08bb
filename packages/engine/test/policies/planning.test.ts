import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkCap,
  checkCapDelivered,
  checkConsent,
  checkCoupons,
  checkFunnel,
  checkHoldout,
  checkLimit,
  checkLimitDelivered,
  checkQuietEnds,
  checkQuietPlanning,
  seen,
} from "./properties.js";
import { scenario, type Scenario } from "./scenario.js";
import { SEED, runs } from "./seed.js";
import { World } from "./world.js";

/*
 * The planning properties (properties.ts) over random worlds: members, campaigns, patron.yaml
 * policies and runs on consecutive days, each world planned as `patron run` plans (priority
 * order) into a real store. Every property sees the same worlds (same seed), and a world is
 * planned once and checked by all of them (planning is what costs); a failing property shrinks
 * on worlds of its own.
 */

const worlds = scenario({ members: 8, campaigns: 3, runs: 5 });
const RUNS = runs(300);

const played = new Map<string, World>();
function play(s: Scenario): World {
  const key = JSON.stringify(s);
  let world = played.get(key);
  if (!world) {
    world = new World(s).playAll();
    played.set(key, world);
  }
  return world;
}

function holds(check: (world: World) => void, offset: number): void {
  fc.assert(
    fc.property(worlds, (s) => {
      check(play(s));
    }),
    { seed: SEED + offset, numRuns: RUNS },
  );
}

// One seed for the worlds every property shares; a failing one reports it with its shrunk case.
const SHARED = 0;

describe("planning policies over random members, campaigns, policies and clocks", () => {
  it("1. consent: never a message without consent and an address on its channel, or despite an opt-out", () => {
    holds(checkConsent, SHARED);
    expect(seen.sent).toBeGreaterThan(500);
    for (const n of [seen.fallback, seen.optedOut, seen.noAddress, seen.noConsent]) expect(n).toBeGreaterThan(50);
  });

  it("2. holdout: nothing sent to a holdout member, held out in every run or none", () => {
    holds(checkHoldout, SHARED);
    expect(seen.heldOut).toBeGreaterThan(50);
  });

  it("3. frequency cap: never more than `messages` marketing messages in `days` local days, across campaigns and runs", () => {
    holds(checkCap, SHARED);
    expect(seen.capped).toBeGreaterThan(50);
  });

  it("4. campaign limit: never more than `times` messages of a campaign within its period", () => {
    holds(checkLimit, SHARED);
    expect(seen.limited).toBeGreaterThan(50);
  });

  it("5. quiet hours: a message due inside them is held until they end, never before its as-of", () => {
    holds(checkQuietPlanning, SHARED);
    expect(seen.atOnce).toBeGreaterThan(200);
    expect(seen.held).toBeGreaterThan(200);
  });

  it("5. quiet hours: held until the first instant outside them, not later (daylight-saving days included)", () => {
    holds(checkQuietEnds, SHARED);
  });

  it("6. coupons: codes unique across members, runs and coupons, within the cap; beyond it coupon-exhausted, no message", () => {
    holds(checkCoupons, SHARED);
    expect(seen.codes).toBeGreaterThan(300);
    expect(seen.exhausted).toBeGreaterThan(20);
  });

  it("7. funnel: audience × sends per rule = suppressed + planned, and planned = the outbox's send rows", () => {
    holds(checkFunnel, SHARED);
  });

  it("3. frequency cap, as members receive messages: a message held by quiet hours counts on the day it arrives", () => {
    holds(checkCapDelivered, SHARED);
  });

  it("4. campaign limit, as members receive messages: the period runs from when a held message arrives", () => {
    holds(checkLimitDelivered, SHARED);
  });
});
