import { expect } from "vitest";
import { SUPPRESS_REASONS } from "../../src/plan/decide.js";
import { totalPlanned } from "../../src/plan/funnel.js";
import { runFunnel } from "../../src/runs/run.js";
import {
  addressOn,
  busiestWindow,
  DAY_MS,
  expectedChannel,
  expectedZone,
  inAudience,
  inQuietHours,
  localDayNumber,
  reachable,
  when,
} from "./oracle.js";
import type { QuietHours } from "@patron/config";
import type { CouponName, MessageName } from "./scenario.js";
import { optKey, type OutboxRecord, type World } from "./world.js";

/*
 * The planning properties, each a check of one played World (planning.test.ts runs every one of
 * them over the same random worlds). Each counts the cases it met in `seen`, so a test can
 * insist the generator reached them: a property that never meets a full cap proves nothing.
 */

export const seen = {
  sent: 0,
  fallback: 0,
  optedOut: 0,
  noAddress: 0,
  noConsent: 0,
  heldOut: 0,
  capped: 0,
  limited: 0,
  atOnce: 0,
  held: 0,
  codes: 0,
  exhausted: 0,
};

/** A message counts against caps and limits unless it failed. */
const counted = (r: OutboxRecord): boolean => r.decision === "send" && r.state !== "failed";

/** When the member gets a planned message: at once, or when its quiet hours end. */
const delivered = (r: OutboxRecord): number => r.deferred_until ?? r.planned_for;

/**
 * When a message decided at `planned` would have reached the member: the first whole minute
 * outside quiet hours (stepping a minute at a time: slow, and independent of the engine's own
 * arithmetic). Caps and limits count messages when they reach the member.
 */
function wouldReach(planned: number, quiet: QuietHours | undefined, zone: string): number {
  if (!inQuietHours(quiet, planned, zone)) return planned;
  let at = Math.ceil((planned + 1) / 60_000) * 60_000;
  while (inQuietHours(quiet, at, zone)) at += 60_000;
  return at;
}

/**
 * Property 1 (consent): no message without consent and an address on its channel, or to a member
 * opted out of it; `via a or b or c` takes the first channel possible, and a member with none is
 * no-address (no listed channel has one) or no-consent (one has, but no consent or an opt-out).
 */
export function checkConsent(world: World): void {
  for (const row of world.rows()) {
    const run = world.runOf(row.run_id);
    const member = world.member(row.member_id);
    const send = run.campaign.sends[row.action];
    const via = send?.via ?? [];
    const where = `${run.campaign.id} run ${run.index} → ${member.id} action ${row.action}`;
    expect(send, `${where}: no such send in the rule`).toBeDefined();
    const expected = expectedChannel(member, via, run.optedOut);
    const optedOutOfOne = via.some((c) => run.optedOut.has(optKey(member.id, c)));
    if (row.decision === "send") {
      const channel = row.channel as NonNullable<OutboxRecord["channel"]>;
      expect(reachable(member, channel, run.optedOut), `${where}: planned on ${channel} without consent or address, or opted out`).toBe(
        true,
      );
      expect(row.address, where).toBe(addressOn(member, channel));
      expect(channel, `${where}: not the first possible channel of via ${via.join(" or ")}`).toBe(expected);
      seen.sent++;
      if (channel !== via[0]) seen.fallback++;
      if (optedOutOfOne) seen.optedOut++;
    } else if (row.decision === "no-address" || row.decision === "no-consent") {
      expect(row.decision, where).toBe(expected);
      expect(row.channel, where).toBeNull();
      if (row.decision === "no-address") seen.noAddress++;
      else seen.noConsent++;
      if (optedOutOfOne) seen.optedOut++;
    } else if (row.decision !== "holdout") {
      // Limits, caps, coupons and templates are decided after a channel was found.
      expect(expected, `${where}: suppressed as ${row.decision} though unreachable`).not.toMatch(/^no-/);
    }
  }
}

/**
 * Property 2 (holdout), within one database: a holdout member is recorded for every send of the
 * rule and sent nothing, and is held out in every run of the campaign or in none. Returns
 * (campaign/member) → held out, for comparison with another database.
 */
export function checkHoldout(world: World): Map<string, boolean> {
  const held = new Map<string, boolean>();
  for (const run of world.runs) {
    if (run.alreadyPlanned) continue;
    if (run.campaign.holdout === 0) expect(run.funnel.suppressed.holdout, `${run.campaign.id}: holdout 0%`).toBe(0);
    const rows = world.rows("run_id = ?", run.runId);
    for (const member of world.scenario.members.filter((m) => inAudience(m, run.campaign))) {
      const mine = rows.filter((r) => r.member_id === member.id);
      const count = mine.filter((r) => r.decision === "holdout").length;
      const where = `${run.campaign.id} run ${run.index} → ${member.id}`;
      expect([0, run.campaign.sends.length], `${where}: ${count} of ${mine.length} decisions are holdout`).toContain(count);
      const key = `${run.campaign.id}/${member.id}`;
      const before = held.get(key);
      if (before !== undefined) expect(count > 0, `${where}: held out in one run and not in another`).toBe(before);
      held.set(key, count > 0);
      if (count > 0) seen.heldOut++;
    }
  }
  return held;
}

/**
 * Property 3 (frequency cap): for every member and every `days` consecutive local calendar days,
 * at most `messages` marketing messages planned, across campaigns and runs; and a frequency-cap
 * decision only when the window ending that day was full already (no over-suppression; the
 * campaigns of one run decide in priority order, so the earlier rows are the ones that count).
 */
export function checkCap(world: World): void {
  const { scenario: s } = world;
  const cap = s.frequencyCap;
  const rows = world.rows();
  for (const row of rows.filter((r) => r.decision === "send")) {
    const purpose = s.purposes[row.message as MessageName];
    expect(row.marketing, `${row.member_id} ${row.message}: the marketing flag the cap counts`).toBe(purpose === "marketing" ? 1 : 0);
  }
  if (!cap) {
    expect(
      rows.filter((r) => r.decision === "frequency-cap"),
      "capped without a cap",
    ).toEqual([]);
    return;
  }
  for (const member of s.members) {
    const zone = expectedZone(member, s.businessZone);
    const mine = rows.filter((r) => r.member_id === member.id);
    const marketing = mine.filter((r) => counted(r) && r.marketing === 1);
    const busiest = busiestWindow(marketing.map(delivered), cap.days, zone);
    expect(
      busiest.count,
      `${member.id} (${zone}): ${busiest.count} marketing messages in the ${cap.days} days from ${busiest.firstDay}`,
    ).toBeLessThanOrEqual(cap.messages);
    for (const suppressed of mine.filter((r) => r.decision === "frequency-cap")) {
      seen.capped++;
      const reach = wouldReach(suppressed.planned_for, s.quietHours, zone);
      const today = localDayNumber(reach, zone);
      const before = marketing.filter((r) => r.id < suppressed.id && today - localDayNumber(delivered(r), zone) < cap.days);
      expect(before.length, `${member.id}: capped at ${when(reach, zone)} with room left`).toBeGreaterThanOrEqual(cap.messages);
    }
  }
}

/**
 * Property 4 (campaign limit): never more than `times` messages of a campaign to a member within
 * its period (ever, without one); a limit decision only when that many are there already.
 */
export function checkLimit(world: World): void {
  const rows = world.rows();
  for (const campaign of world.scenario.campaigns) {
    const limit = campaign.limit;
    const runIds = new Set(world.runs.filter((r) => r.campaign.id === campaign.id).map((r) => r.runId));
    const ofCampaign = rows.filter((r) => runIds.has(r.run_id));
    if (!limit) {
      expect(
        ofCampaign.filter((r) => r.decision === "limit"),
        `${campaign.id}: limited without a limit`,
      ).toEqual([]);
      continue;
    }
    const period = limit.days === undefined ? Number.POSITIVE_INFINITY : limit.days * DAY_MS;
    for (const member of world.scenario.members) {
      const mine = ofCampaign.filter((r) => r.member_id === member.id);
      const sent = mine.filter(counted);
      for (const r of sent) {
        const within = sent.filter((x) => delivered(x) <= delivered(r) && delivered(x) > delivered(r) - period);
        expect(
          within.length,
          `${campaign.id} → ${member.id}: ${within.length} in the period ending ${new Date(delivered(r)).toISOString()}`,
        ).toBeLessThanOrEqual(limit.times);
      }
      for (const suppressed of mine.filter((r) => r.decision === "limit")) {
        seen.limited++;
        const reach = wouldReach(suppressed.planned_for, world.scenario.quietHours, expectedZone(member, world.scenario.businessZone));
        const before = sent.filter((x) => x.id < suppressed.id && delivered(x) > reach - period && delivered(x) <= reach);
        expect(before.length, `${campaign.id} → ${member.id}: limited at ${new Date(reach).toISOString()} with room left`).toBe(
          limit.times,
        );
      }
    }
  }
}

/**
 * Property 5 (quiet hours, planning): a message whose as-of is inside quiet hours (member-local)
 * is held until an instant outside them, after its as-of and within a day; one whose as-of is
 * outside them is due at once (not_before 0). The zone kept for sending is the member's.
 */
export function checkQuietPlanning(world: World): void {
  const { scenario: s } = world;
  for (const row of world.rows("decision = 'send'")) {
    const member = world.member(row.member_id);
    const zone = expectedZone(member, s.businessZone);
    expect(row.zone, `${member.id}: the zone kept for sending`).toBe(zone);
    const where = `${member.id} planned ${when(row.planned_for, zone)}, quiet ${JSON.stringify(s.quietHours)}`;
    if (!inQuietHours(s.quietHours, row.planned_for, zone)) {
      expect(row.deferred_until, `${where}: held though outside quiet hours`).toBeNull();
      expect(row.not_before, where).toBe(0);
      seen.atOnce++;
      continue;
    }
    expect(row.deferred_until, `${where}: not held though inside quiet hours`).not.toBeNull();
    const until = row.deferred_until as number;
    expect(row.not_before, where).toBe(until);
    expect(until, `${where}: held until before its as-of`).toBeGreaterThan(row.planned_for);
    expect(inQuietHours(s.quietHours, until, zone), `${where}: held until ${when(until, zone)}, still inside`).toBe(false);
    expect(until - row.planned_for, `${where}: held a day or more`).toBeLessThan(DAY_MS);
    seen.held++;
  }
}

/** Property 5 (quiet hours end where they end): held until the first instant outside quiet hours, not later. */
export function checkQuietEnds(world: World): void {
  for (const row of world.rows("decision = 'send' AND deferred_until IS NOT NULL")) {
    const zone = row.zone as string;
    const until = row.deferred_until as number;
    expect(
      inQuietHours(world.scenario.quietHours, until - 1, zone),
      `${row.member_id} planned ${when(row.planned_for, zone)}, quiet ${JSON.stringify(world.scenario.quietHours)}: held until ${when(until, zone)}, but ${when(until - 60_000, zone)} is outside quiet hours already`,
    ).toBe(true);
  }
}

const CODE_IN_CONTENT = /code (\S+?)(?=["\s]|$)/;

/**
 * Property 6 (coupons): codes unique across members, runs and coupons (both coupons may draw from
 * one tiny code space), well-formed, never more than a coupon's cap; each recorded with the
 * member and run of the one message carrying it; coupon-exhausted only once the cap is reached,
 * and then no message.
 */
export function checkCoupons(world: World): void {
  const { scenario: s } = world;
  const codes = world.codes();
  seen.codes += codes.length;
  expect(new Set(codes.map((c) => c.code)).size, "a code issued twice").toBe(codes.length);
  const byCode = new Map(codes.map((c) => [c.code, c]));
  for (const spec of s.coupons) {
    const mine = codes.filter((c) => c.coupon === spec.name);
    if (spec.cap !== undefined) expect(mine.length, `${spec.name}: more codes than its cap of ${spec.cap}`).toBeLessThanOrEqual(spec.cap);
    for (const { code } of mine) {
      const body = code.slice(spec.prefix.length);
      expect(code.startsWith(spec.prefix) && body.length === spec.length && [...body].every((ch) => spec.alphabet.includes(ch)), code).toBe(
        true,
      );
    }
  }
  const carried = new Set<string>();
  for (const row of world.rows()) {
    const run = world.runOf(row.run_id);
    const send = run.campaign.sends[row.action];
    const coupon: CouponName | undefined = send?.kind === "coupon" ? send.coupon : undefined;
    const where = `${run.campaign.id} run ${run.index} → ${row.member_id} action ${row.action}`;
    if (row.decision === "send") {
      const code = CODE_IN_CONTENT.exec(row.content ?? "")?.[1];
      if (coupon === undefined) {
        expect(code, `${where}: a code in a message without a coupon`).toBeUndefined();
        continue;
      }
      expect(code, `${where}: a coupon message without its code: ${row.content}`).toBeDefined();
      expect(byCode.get(code as string), `${where}: code ${code} as recorded`).toMatchObject({
        coupon,
        member_id: row.member_id,
        run_id: row.run_id,
      });
      expect(carried.has(code as string), `${where}: code ${code} carried by two messages`).toBe(false);
      carried.add(code as string);
    } else if (row.decision === "coupon-exhausted") {
      seen.exhausted++;
      const cap = s.coupons.find((c) => c.name === coupon)?.cap;
      expect(cap, `${where}: coupon-exhausted for ${coupon ?? "a send without a coupon"}, which has no cap`).toBeDefined();
      const issuedByThen = codes.filter((c) => c.coupon === coupon && c.run_id <= row.run_id).length;
      expect(issuedByThen, `${where}: coupon-exhausted with ${issuedByThen} of ${cap} codes issued`).toBe(cap);
      expect([row.channel, row.message, row.content, row.address], where).toEqual([null, null, null, null]);
    }
  }
  // No code without the message carrying it (a code whose template failed is given back).
  expect(carried.size, "codes recorded but carried by no message").toBe(codes.length);
}

/**
 * Property 7 (funnel): every member of the audience gets one decision per send of the rule, so
 * audience × sends = suppressed + planned; the counts are the outbox's rows, reason by reason.
 */
export function checkFunnel(world: World): void {
  for (const run of world.runs) {
    if (run.alreadyPlanned) continue;
    const where = `${run.campaign.id} run ${run.index}`;
    const audience = world.scenario.members.filter((m) => inAudience(m, run.campaign)).length;
    const sends = run.campaign.sends.length;
    const { funnel } = run;
    expect(funnel.audience, `${where}: audience`).toBe(audience);
    const suppressed = SUPPRESS_REASONS.reduce((sum, r) => sum + funnel.suppressed[r], 0);
    expect(suppressed + totalPlanned(funnel), `${where}: ${JSON.stringify(funnel)}`).toBe(audience * sends);
    const rows = world.rows("run_id = ?", run.runId);
    expect(rows.length, `${where}: outbox rows`).toBe(audience * sends);
    expect(totalPlanned(funnel), `${where}: planned`).toBe(rows.filter((r) => r.decision === "send").length);
    for (const channel of ["sms", "email", "wechat"] as const) {
      expect(funnel.planned[channel], `${where} ${channel}`).toBe(
        rows.filter((r) => r.decision === "send" && r.channel === channel).length,
      );
    }
    for (const reason of SUPPRESS_REASONS) {
      expect(funnel.suppressed[reason], `${where} ${reason}`).toBe(rows.filter((r) => r.decision === reason).length);
    }
    expect(funnel.deferred, `${where}: deferred`).toBe(rows.filter((r) => r.decision === "send" && r.deferred_until !== null).length);
    // Read back later, the run's funnel is the same (nothing was sent in between).
    expect(runFunnel(world.db, run.runId), where).toEqual(funnel);
  }
}

/**
 * Properties 3 and 4 as members experience them: a message held by quiet hours reaches the member
 * when they end, and that is the day the cap must count it on (and the instant the limit's period
 * runs from) — else a message held overnight and one planned the next morning arrive together.
 */
export function checkCapDelivered(world: World): void {
  const { scenario: s } = world;
  const cap = s.frequencyCap;
  if (!cap) return;
  const rows = world.rows("decision = 'send' AND marketing = 1 AND state != 'failed'");
  for (const member of s.members) {
    const zone = expectedZone(member, s.businessZone);
    const received = rows.filter((r) => r.member_id === member.id);
    const busiest = busiestWindow(received.map(delivered), cap.days, zone);
    const detail = received
      .map((r) => `planned ${when(r.planned_for, zone)}${r.deferred_until === null ? "" : `, held until ${when(r.deferred_until, zone)}`}`)
      .join("; ");
    expect(
      busiest.count,
      `${member.id} gets ${busiest.count} in the ${cap.days} days from ${busiest.firstDay}: ${detail}`,
    ).toBeLessThanOrEqual(cap.messages);
  }
}

export function checkLimitDelivered(world: World): void {
  const rows = world.rows("decision = 'send' AND state != 'failed'");
  for (const campaign of world.scenario.campaigns) {
    const limit = campaign.limit;
    if (!limit?.days) continue;
    const period = limit.days * DAY_MS;
    const runIds = new Set(world.runs.filter((r) => r.campaign.id === campaign.id).map((r) => r.runId));
    for (const member of world.scenario.members) {
      const received = rows.filter((r) => r.member_id === member.id && runIds.has(r.run_id)).map(delivered);
      for (const at of received) {
        const within = received.filter((x) => x <= at && x > at - period);
        expect(
          within.length,
          `${campaign.id} → ${member.id}, limit ${JSON.stringify(limit)}: ${within.map((x) => new Date(x).toISOString()).join(", ")}`,
        ).toBeLessThanOrEqual(limit.times);
      }
    }
  }
}
