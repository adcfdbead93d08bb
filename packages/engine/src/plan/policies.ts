import type { FrequencyCap, MessagePurpose, QuietHours } from "@patron/config";
import type { CampaignDefinition, TimeUnit } from "@patron/dsl";
import { DateTime } from "luxon";
import type { Db } from "../store/store.js";
import { localDate } from "../time/local-dates.js";
import { stableFraction } from "./assign.js";

/*
 * The marketing policies planning enforces, beside channel choice (channel-choice.ts):
 * - holdout: a stable share of the audience is kept as a control group and recorded, not sent;
 * - the campaign's own limit (`limit once per member every 30 days`);
 * - the global frequency cap of patron.yaml (at most N marketing messages per member in D days,
 *   counted in the member's calendar days: today and the D−1 days before it);
 * - quiet hours in the member's local time: a message due inside them is planned with a
 *   not-before time at their end (never dropped), and the dispatcher checks again at send time.
 * Limits and caps count the outbox: messages planned by earlier runs and by the campaigns planned
 * before this one in the same run (higher priority first), whatever happened to them since,
 * except failures (a message that never reached the member does not count against them).
 */

export interface Policies {
  readonly holdoutPercent: number;
  /** The campaign's limit: at most `times` messages per member within `periodMs` (lifetime when absent). */
  readonly limit?: { readonly times: number; readonly periodMs?: number };
  readonly cap?: FrequencyCap;
  readonly quietHours?: QuietHours;
  readonly purposeOf: (message: string) => MessagePurpose;
}

const UNIT_MS: Readonly<Record<TimeUnit, number>> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

export function policiesOf(
  campaign: CampaignDefinition,
  config: {
    readonly frequencyCap?: FrequencyCap;
    readonly quietHours?: QuietHours;
    readonly messages: readonly { name: string; purpose: MessagePurpose }[];
  },
): Policies {
  const purposes = new Map(config.messages.map((m) => [m.name, m.purpose]));
  const limit = campaign.limit;
  return {
    holdoutPercent: campaign.holdoutPercent,
    ...(limit
      ? { limit: { times: limit.times, ...(limit.every ? { periodMs: limit.every.amount.value * UNIT_MS[limit.every.unit] } : {}) } }
      : {}),
    ...(config.frequencyCap ? { cap: config.frequencyCap } : {}),
    ...(config.quietHours ? { quietHours: config.quietHours } : {}),
    purposeOf: (message) => purposes.get(message) ?? "marketing",
  };
}

/** Whether the member is in the campaign's holdout (control) group: stable per (campaign, member). */
export function inHoldout(campaign: string, member: string, percent: number): boolean {
  return percent > 0 && stableFraction(campaign, member, "holdout") < percent / 100;
}

/**
 * What a member received before: the instants this campaign's and all marketing messages reach
 * (or reached) the member — the end of quiet hours for a message held by them, else its run's as-of.
 */
export interface History {
  readonly campaign: number[];
  readonly marketing: number[];
}

/**
 * The recent messages of a page of members, in one query: since `since` (the longest window a
 * policy looks at), not failed, with whether each was this campaign's and whether it was marketing.
 */
export function loadHistory(db: Db, memberIds: readonly string[], campaign: string, since: number): Map<string, History> {
  const history = new Map<string, History>(memberIds.map((id) => [id, { campaign: [], marketing: [] }]));
  if (memberIds.length === 0) return history;
  const rows = db
    .prepare<[string, string, number], { member_id: string; planned_for: number; marketing: number; mine: number }>(
      `SELECT o.member_id, coalesce(o.deferred_until, o.planned_for) AS planned_for, o.marketing, r.campaign = ? AS mine
       FROM outbox AS o JOIN runs AS r ON r.id = o.run_id
       WHERE o.member_id IN (SELECT value FROM json_each(?)) AND o.decision = 'send' AND o.state != 'failed'
         AND coalesce(o.deferred_until, o.planned_for) > ?`,
    )
    .all(campaign, JSON.stringify(memberIds), since);
  for (const r of rows) {
    const h = history.get(r.member_id);
    if (!h) continue;
    if (r.mine === 1) h.campaign.push(r.planned_for);
    if (r.marketing === 1) h.marketing.push(r.planned_for);
  }
  return history;
}

/** How far back history must be read for these policies (ms before asOf). */
export function historyWindowMs(p: Policies): number {
  const limit = p.limit ? (p.limit.periodMs ?? Number.POSITIVE_INFINITY) : 0;
  const cap = p.cap ? (p.cap.days + 1) * 86_400_000 : 0;
  return Math.max(limit, cap);
}

/** The campaign's limit is reached: `times` messages of it within its period before asOf. */
export function limitReached(p: Policies, sends: readonly number[], asOf: number): boolean {
  if (!p.limit) return false;
  const from = p.limit.periodMs === undefined ? Number.NEGATIVE_INFINITY : asOf - p.limit.periodMs;
  return sends.filter((t) => t > from && t <= asOf).length >= p.limit.times;
}

/**
 * The global cap is reached for one more marketing message at asOf: counted on the member's
 * calendar, the messages of today and the days−1 days before it.
 */
export function capReached(cap: FrequencyCap | undefined, marketing: readonly number[], asOf: number, zone: string): boolean {
  if (!cap) return false;
  const today = DateTime.fromMillis(asOf, { zone }).startOf("day");
  const first = today.minus({ days: cap.days - 1 }).toISODate() ?? "";
  const last = today.toISODate() ?? "";
  const inWindow = marketing.filter((t) => {
    const d = localDate(t, zone);
    return d >= first && d <= last;
  });
  return inWindow.length >= cap.messages;
}

/** Whether `at` is inside quiet hours in `zone` (they span midnight when `from` is later than `until`). */
export function insideQuietHours(quiet: QuietHours, at: number, zone: string): boolean {
  const local = DateTime.fromMillis(at, { zone });
  const minutes = local.hour * 60 + local.minute;
  const from = quiet.from.hour * 60 + quiet.from.minute;
  const until = quiet.until.hour * 60 + quiet.until.minute;
  if (from === until) return false;
  return from < until ? minutes >= from && minutes < until : minutes >= from || minutes < until;
}

/**
 * When quiet hours hold a message due at `at` in `zone`: the first instant after `at` outside
 * them, or undefined when `at` is outside them. Daylight saving: when their end falls in the hour
 * the clocks skip, they end at the jump; when that moment is still inside them (the allowed
 * hours were skipped altogether), at their end the next day.
 */
export function quietUntil(quiet: QuietHours | undefined, at: number, zone: string): number | undefined {
  if (!quiet || !insideQuietHours(quiet, at, zone)) return undefined;
  let day = DateTime.fromMillis(at, { zone }).startOf("day");
  for (let i = 0; i < 4; i++, day = day.plus({ days: 1 })) {
    const end = wallClockOn(day, quiet.until.hour, quiet.until.minute, zone);
    if (end > at && !insideQuietHours(quiet, end, zone)) return end;
  }
  throw new Error(`quiet hours ${JSON.stringify(quiet)} leave no time to send in ${zone}`);
}

/** The first instant of `day` whose wall-clock time is hour:minute or later (a skipped time: the jump). */
function wallClockOn(day: DateTime, hour: number, minute: number, zone: string): number {
  const target = hour * 60 + minute;
  const exact = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (exact.hour === hour && exact.minute === minute) return exact.toMillis();
  const wall = (ms: number): number => {
    const d = DateTime.fromMillis(ms, { zone });
    return d.hasSame(day, "day") ? d.hour * 60 + d.minute : d < day ? -1 : Number.POSITIVE_INFINITY;
  };
  let lo = exact.toMillis() - 3 * 3_600_000;
  let hi = exact.toMillis();
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (wall(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
