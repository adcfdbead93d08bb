import type { SendResult } from "@patron/channels";
import { describe, expect, it, vi } from "vitest";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import { retryDelay } from "../../src/dispatch/backoff.js";
import { dispatch, type DispatchEvent } from "../../src/dispatch/dispatcher.js";
import { RateLimiter } from "../../src/dispatch/rate-limit.js";
import { messageKey } from "../../src/runs/run.js";
import type { Db } from "../../src/store/store.js";
import { addMember, instant, memoryStore } from "../support/store.js";
import {
  addReachable,
  ALL_CHANNELS,
  channelMap,
  count,
  DAY,
  funnelOf,
  memberIds,
  outboxRow,
  outboxRows,
  planSlot,
  scriptedChannel,
  seededRandom,
  ZONE,
} from "./support.js";

/*
 * The dispatcher against scripted in-memory channels: what is sent and recorded on success,
 * temporary and permanent failures, opt-outs, channel pauses, concurrency and rate limits, run
 * scoping and aborts. Times are only ever bounded from below (a slow machine makes nothing fail).
 */

const FAST = { baseMs: 1, maxMs: 5 } as const;
/** The slot of the runs dispatched here: Saturday 1 June 2024, 09:30 in Shanghai (01:30 UTC). */
const SLOT = instant("2024-06-01T09:30", ZONE);
const key = (member: string, slot = SLOT) => messageKey("all-channels", slot, member, 0);
const phone = (id: string) => `1380000${id.slice(1)}00`;

/** A store with members reachable on one channel each, planned into one run of all-channels. */
function planned(counts: { sms?: number; email?: number; wechat?: number }, slot = SLOT): { db: Db; runId: number } {
  const db = memoryStore();
  addReachable(db, counts);
  const { run } = planSlot(db, ALL_CHANNELS, slot);
  return { db, runId: run.id };
}

const temporary = (code: string, message: string, extra: Partial<SendResult> = {}): SendResult =>
  ({ ok: false, kind: "temporary", code, message, ...extra }) as SendResult;
const permanent = (code: string, message: string, extra: Partial<SendResult> = {}): SendResult =>
  ({ ok: false, kind: "permanent", code, message, ...extra }) as SendResult;

describe("dispatch: results", () => {
  it("sends every queued row once with its content, key and address, and records the provider id", async () => {
    const { db, runId } = planned({ sms: 3, email: 2, wechat: 1 });
    const sms = scriptedChannel({ name: "sms" });
    const email = scriptedChannel({ name: "email" });
    const wechat = scriptedChannel({ name: "wechat" });
    const events: DispatchEvent[] = [];
    const before = Date.now();
    const summary = await dispatch({ db, channels: channelMap(sms, email, wechat), onEvent: (e) => events.push(e) });
    const after = Date.now();

    expect(summary).toMatchObject({ sent: 6, failed: 0, retried: 0, recovered: 0, waiting: 0, nextDue: null });
    expect(sms.calls.map((c) => c.message)).toEqual(
      memberIds("s", 3).map((id) => ({ channel: "sms", body: `[welcome] hi ${id}`, key: key(id), to: phone(id) })),
    );
    expect(email.calls.map((c) => c.message)).toEqual(
      memberIds("e", 2).map((id) => ({ channel: "email", subject: "welcome", text: `hi ${id}`, key: key(id), to: `${id}@example.com` })),
    );
    expect(wechat.calls.map((c) => c.message)).toEqual([
      { channel: "wechat", templateId: "tpl-welcome", data: { first: "hi w01" }, key: key("w01"), to: "ow01openid" },
    ]);
    expect(key("s01")).toBe("all-channels/2024-06-01T01:30:00.000Z/s01");

    for (const row of outboxRows(db)) {
      expect(row).toMatchObject({
        run_id: runId,
        state: "sent",
        attempts: 1,
        provider: `scripted-${row.channel}`,
        provider_id: `scripted-${row.channel}-${key(row.member_id)}`,
        claimed_by: null,
        error_code: null,
        error: null,
      });
      expect(row.sent_at).toBeGreaterThanOrEqual(before);
      expect(row.sent_at).toBeLessThanOrEqual(after);
    }
    expect(events.filter((e) => e.type === "sent")).toHaveLength(6);
    expect(events.find((e) => e.type === "sent" && e.memberId === "s02")).toEqual({
      type: "sent",
      id: outboxRow(db, "s02").id,
      channel: "sms",
      memberId: "s02",
      providerId: `scripted-sms-${key("s02")}`,
      attempts: 1,
    });
    // The dispatcher's own lease is gone once it is done.
    expect(count(db, "SELECT count(*) FROM leases")).toBe(0);
  });

  it("a second dispatch finds nothing to send", async () => {
    const { db } = planned({ sms: 2 });
    const sms = scriptedChannel({ name: "sms" });
    await dispatch({ db, channels: channelMap(sms) });
    const again = await dispatch({ db, channels: channelMap(sms) });
    expect(again).toMatchObject({ sent: 0, failed: 0, waiting: 0, nextDue: null });
    expect(sms.calls).toHaveLength(2);
  });

  it("retries a temporary failure after a backoff, then records the send", async () => {
    const { db } = planned({ sms: 3 });
    const sms = scriptedChannel({
      name: "sms",
      script: (m, attempt) => (m.key === key("s01") && attempt <= 2 ? temporary("429", "too many requests") : undefined),
    });
    const events: DispatchEvent[] = [];
    const summary = await dispatch({
      db,
      channels: channelMap(sms),
      backoff: FAST,
      random: seededRandom(7),
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ sent: 3, failed: 0, retried: 2, waiting: 0 });
    expect(outboxRow(db, "s01")).toMatchObject({
      state: "sent",
      attempts: 3,
      error_code: null,
      error: null,
      provider_id: `scripted-sms-${key("s01")}`,
    });
    const tries = sms.calls.filter((c) => c.key === key("s01"));
    expect(tries.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const retries = events.filter((e): e is Extract<DispatchEvent, { type: "retry" }> => e.type === "retry");
    expect(retries).toMatchObject([
      { memberId: "s01", channel: "sms", code: "429", message: "too many requests", attempts: 1 },
      { memberId: "s01", channel: "sms", code: "429", message: "too many requests", attempts: 2 },
    ]);
    // Each retry waits for its not-before (at most 5 ms later with this backoff).
    expect(tries[1]?.wallAt).toBeGreaterThanOrEqual(retries[0]?.notBefore ?? Infinity);
    expect(tries[2]?.wallAt).toBeGreaterThanOrEqual(retries[1]?.notBefore ?? Infinity);
  });

  it("waits at least as long as the provider's Retry-After asks", async () => {
    const { db } = planned({ sms: 1 });
    const sms = scriptedChannel({
      name: "sms",
      script: (_, attempt) => (attempt === 1 ? temporary("429", "slow down", { retryAfterMs: 60 }) : undefined),
    });
    const events: DispatchEvent[] = [];
    await dispatch({ db, channels: channelMap(sms), backoff: FAST, random: seededRandom(1), onEvent: (e) => events.push(e) });
    const [first, second] = sms.calls;
    const retry = events.find((e) => e.type === "retry");
    expect(retry?.type === "retry" && retry.notBefore - (first?.wallAt ?? 0)).toBeGreaterThanOrEqual(60);
    expect((second?.wallAt ?? 0) - (first?.wallAt ?? Infinity)).toBeGreaterThanOrEqual(60);
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("a send that throws is a temporary failure: retried", async () => {
    const { db } = planned({ sms: 1 });
    const sms = scriptedChannel({
      name: "sms",
      script: (_, attempt) => {
        if (attempt === 1) throw new Error("socket hang up");
        return undefined;
      },
    });
    const events: DispatchEvent[] = [];
    await dispatch({ db, channels: channelMap(sms), backoff: FAST, random: seededRandom(3), onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === "retry")).toMatchObject({ code: "exception", message: "socket hang up", attempts: 1 });
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("gives up on a temporary failure after maxAttempts, with the last code", async () => {
    const { db } = planned({ sms: 2 });
    const sms = scriptedChannel({
      name: "sms",
      script: (m) => (m.key === key("s02") ? temporary("503", "service unavailable") : undefined),
    });
    const events: DispatchEvent[] = [];
    const summary = await dispatch({
      db,
      channels: channelMap(sms),
      maxAttempts: 3,
      backoff: FAST,
      random: seededRandom(11),
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ sent: 1, failed: 1, retried: 2, waiting: 0, nextDue: null });
    expect(sms.calls.filter((c) => c.key === key("s02")).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(outboxRow(db, "s02")).toMatchObject({
      state: "failed",
      attempts: 3,
      provider: "scripted-sms",
      error_code: "503",
      error: "gave up after 3 attempts: service unavailable",
      sent_at: null,
      claimed_by: null,
    });
    expect(events.filter((e) => e.type === "failed")).toEqual([
      {
        type: "failed",
        id: outboxRow(db, "s02").id,
        channel: "sms",
        memberId: "s02",
        code: "503",
        message: "gave up after 3 attempts: service unavailable",
        attempts: 3,
      },
    ]);
  });

  it("a permanent failure is recorded with the provider's code and never retried", async () => {
    const { db } = planned({ sms: 2 });
    const sms = scriptedChannel({
      name: "sms",
      script: (m) => (m.key === key("s01") ? permanent("21211", "invalid 'To' phone number") : undefined),
    });
    const summary = await dispatch({ db, channels: channelMap(sms), backoff: FAST });
    expect(summary).toMatchObject({ sent: 1, failed: 1, retried: 0 });
    expect(sms.calls.filter((c) => c.key === key("s01"))).toHaveLength(1);
    expect(outboxRow(db, "s01")).toMatchObject({ state: "failed", attempts: 1, error_code: "21211", error: "invalid 'To' phone number" });
    expect(count(db, "SELECT count(*) FROM opt_outs")).toBe(0);
  });

  it("an opt-out failure records the opt-out, and the next planning honours it", async () => {
    const db = memoryStore();
    addReachable(db, { sms: 2 });
    // b01 can also be reached by email: after opting out of sms, email is next in `via`.
    addMember(db, {
      id: "b01",
      name: "b01",
      tier: "gold",
      phone: "13811112222",
      consent_sms: true,
      email: "b01@example.com",
      consent_email: true,
    });
    planSlot(db, ALL_CHANNELS, SLOT);
    const stop = (m: { key: string }) => m.key === key("s01") || m.key === key("b01");
    const sms = scriptedChannel({
      name: "sms",
      script: (m) => (stop(m) ? permanent("21610", "Attempt to send to unsubscribed recipient", { optOut: true }) : undefined),
    });
    const before = Date.now();
    const summary = await dispatch({ db, channels: channelMap(sms), backoff: FAST });
    expect(summary).toMatchObject({ sent: 1, failed: 2 });
    expect(outboxRow(db, "s01")).toMatchObject({ state: "failed", error_code: "21610" });
    const log = db.prepare("SELECT member_id, channel, address, action, source, detail, at FROM opt_outs ORDER BY member_id").all() as {
      at: number;
    }[];
    expect(log).toMatchObject([
      { member_id: "b01", channel: "sms", address: "13811112222", action: "opt-out", source: "provider", detail: "scripted-sms 21610" },
      { member_id: "s01", channel: "sms", address: phone("s01"), action: "opt-out", source: "provider", detail: "scripted-sms 21610" },
    ]);
    for (const entry of log) expect(entry.at).toBeGreaterThanOrEqual(before);
    expect(db.prepare("SELECT member_id, channel, source FROM opt_out_current ORDER BY member_id").all()).toEqual([
      { member_id: "b01", channel: "sms", source: "provider" },
      { member_id: "s01", channel: "sms", source: "provider" },
    ]);

    const next = planSlot(db, ALL_CHANNELS, SLOT + DAY);
    expect(next.funnel).toEqual(funnelOf(3, { "no-consent": 1 }, { sms: 1, email: 1 }));
    expect(outboxRows(db, "run_id = ?", next.run.id).map((r) => [r.member_id, r.decision, r.channel])).toEqual([
      ["b01", "send", "email"],
      ["s01", "no-consent", null],
      ["s02", "send", "sms"],
    ]);
  });

  it("a member who opted out after planning is not sent the queued message", async () => {
    // product.md: opt-outs are honoured at once. A reply STOP between planning and sending (or a
    // row waiting out a backoff or a pause) must not be followed by a message on that channel.
    const { db } = planned({ sms: 2 });
    recordOptOut(db, { memberId: "s01", channel: "sms", action: "opt-out", source: "inbound", detail: "STOP", at: Date.now() });
    const sms = scriptedChannel({ name: "sms" });
    await dispatch({ db, channels: channelMap(sms) });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
    expect(outboxRow(db, "s01").state).not.toBe("sent");
  });
});

describe("dispatch: when rows are due", () => {
  it("a run planned with an as-of in the future is sent at once (the as-of is the audience's clock, not a send time)", async () => {
    const future = Date.now() + 30 * DAY;
    const { db } = planned({ sms: 2 }, future);
    expect(count(db, "SELECT count(*) FROM outbox WHERE state = 'queued' AND not_before = 0")).toBe(2);
    const sms = scriptedChannel({ name: "sms" });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ sent: 2, waiting: 0 });
  });

  it("a row due later than waitMs stays queued and is reported as waiting", async () => {
    const { db } = planned({ sms: 3 });
    const later = Date.now() + 10 * 60_000;
    db.prepare("UPDATE outbox SET not_before = ? WHERE member_id = 's02'").run(later);
    const sms = scriptedChannel({ name: "sms" });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ sent: 2, waiting: 1, nextDue: later });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s01"), key("s03")]);
    expect(outboxRow(db, "s02")).toMatchObject({ state: "queued", attempts: 0 });
  });

  it("a row due within waitMs is waited for, and not sent before it is due", async () => {
    const { db } = planned({ sms: 2 });
    const soon = Date.now() + 60;
    db.prepare("UPDATE outbox SET not_before = ? WHERE member_id = 's01'").run(soon);
    const sms = scriptedChannel({ name: "sms" });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ sent: 2, waiting: 0, nextDue: null });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02"), key("s01")]);
    expect(sms.calls[1]?.wallAt).toBeGreaterThanOrEqual(soon);
  });

  it("rows of channels that are not configured stay queued", async () => {
    const { db } = planned({ sms: 1, email: 2 });
    const summary = await dispatch({ db, channels: channelMap(scriptedChannel({ name: "sms" })) });
    expect(summary).toMatchObject({ sent: 1, waiting: 2 });
    expect(count(db, "SELECT count(*) FROM outbox WHERE channel = 'email' AND state = 'queued' AND attempts = 0")).toBe(2);
  });

  it("only the given runs are sent when runIds is set", async () => {
    const db = memoryStore();
    addReachable(db, { sms: 2 });
    const first = planSlot(db, ALL_CHANNELS, SLOT).run.id;
    const second = planSlot(db, ALL_CHANNELS, SLOT + DAY).run.id;
    const sms = scriptedChannel({ name: "sms" });
    const summary = await dispatch({ db, channels: channelMap(sms), runIds: [second] });
    expect(summary).toMatchObject({ sent: 2, waiting: 0, nextDue: null });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s01", SLOT + DAY), key("s02", SLOT + DAY)]);
    expect(count(db, "SELECT count(*) FROM outbox WHERE run_id = ? AND state = 'queued'", first)).toBe(2);
    const rest = await dispatch({ db, channels: channelMap(sms), runIds: [first, 99] });
    expect(rest).toMatchObject({ sent: 2, waiting: 0 });
    expect(count(db, "SELECT count(*) FROM outbox WHERE state = 'sent'")).toBe(4);
  });
});

describe("dispatch: channel pauses", () => {
  /** A provider whose daily quota runs out at s02: every send from then until `until` is refused. */
  function quota(until: () => number) {
    let spentAt: number | undefined;
    return (m: { key: string }) => {
      if (m.key === key("s02")) spentAt ??= Date.now();
      if (spentAt !== undefined && Date.now() < until()) {
        return temporary("45009", "api freq out of limit", { pauseChannelUntil: until() });
      }
      return undefined;
    };
  }

  it("puts the message back without using an attempt, and sends nothing more on that channel; other channels go on", async () => {
    const { db } = planned({ sms: 4, email: 2 });
    const until = Date.now() + 3_600_000;
    const sms = scriptedChannel({ name: "sms", script: quota(() => until) });
    const email = scriptedChannel({ name: "email", sendMs: 2 });
    const events: DispatchEvent[] = [];
    const summary = await dispatch({ db, channels: channelMap(sms, email), onEvent: (e) => events.push(e) });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s01"), key("s02")]);
    expect(email.calls).toHaveLength(2);
    expect(summary).toMatchObject({ sent: 3, failed: 0, retried: 0, waiting: 3 });
    expect(outboxRow(db, "s02")).toMatchObject({ state: "queued", attempts: 0, not_before: until, error_code: "45009" });
    for (const id of ["s03", "s04"]) expect(outboxRow(db, id)).toMatchObject({ state: "queued", attempts: 0 });
    expect(events.filter((e) => e.type === "paused")).toEqual([
      { type: "paused", channel: "sms", until, message: "api freq out of limit" },
    ]);
  });

  it("reports the paused channel's rows as due when the pause ends", async () => {
    const { db } = planned({ sms: 4 });
    const until = Date.now() + 3_600_000;
    const summary = await dispatch({ db, channels: channelMap(scriptedChannel({ name: "sms", script: quota(() => until) })) });
    // Nothing queued can go before `until`: a scheduler reading nextDue must not come back sooner.
    expect(summary).toMatchObject({ waiting: 3, nextDue: until });
  });

  it("a later dispatch before the pause ends sends nothing on the paused channel", async () => {
    const { db } = planned({ sms: 4 });
    const until = Date.now() + 3_600_000;
    const sms = scriptedChannel({ name: "sms", script: quota(() => until) });
    await dispatch({ db, channels: channelMap(sms) });
    const calls = sms.calls.length;
    await dispatch({ db, channels: channelMap(sms) });
    expect(sms.calls.length).toBe(calls);
  });

  it("a short pause is waited out, then the channel sends the rest, none before the pause ends", async () => {
    const { db } = planned({ sms: 4 });
    let until = 0;
    const sms = scriptedChannel({
      name: "sms",
      script: (m, attempt) => {
        if (m.key !== key("s02") || attempt !== 1) return undefined;
        until = Date.now() + 80;
        return temporary("45009", "api freq out of limit", { pauseChannelUntil: until });
      },
    });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ sent: 4, failed: 0, waiting: 0 });
    const afterPause = sms.calls.slice(2);
    expect(afterPause.map((c) => c.key).sort()).toEqual([key("s02"), key("s03"), key("s04")]);
    for (const call of afterPause) expect(call.wallAt).toBeGreaterThanOrEqual(until);
    // The paused attempt was given back: s02 was sent on its first counted attempt.
    expect(outboxRow(db, "s02")).toMatchObject({ state: "sent", attempts: 1 });
  });
});

describe("dispatch: concurrency and rate", () => {
  it("never has more than channel.concurrency sends in flight, and uses all of it", async () => {
    const { db } = planned({ sms: 12, email: 4 });
    const sms = scriptedChannel({ name: "sms", concurrency: 3, sendMs: 5 });
    const email = scriptedChannel({ name: "email", concurrency: 1, sendMs: 5 });
    const summary = await dispatch({ db, channels: channelMap(sms, email) });
    expect(summary.sent).toBe(16);
    expect(sms.maxInFlight).toBe(3);
    expect(email.maxInFlight).toBe(1);
  });

  it("starts at most ratePerSecond sends a second: 20 at 100/s span at least 190 ms", async () => {
    const { db } = planned({ sms: 20 });
    const sms = scriptedChannel({ name: "sms", concurrency: 5, ratePerSecond: 100 });
    await dispatch({ db, channels: channelMap(sms) });
    const starts = sms.calls.map((c) => c.startedAt);
    expect(starts).toHaveLength(20);
    // 19 intervals of 10 ms, less the 1–2 ms a Node timer may fire early (see the next test).
    expect((starts[19] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(185);
  });

  it("never starts a send before the instant the rate limiter reserved for it", async () => {
    // The limiter reserves instants 10 ms apart on performance.now(), anchored: when a timer fired
    // late it lets at most 2 starts catch up, so the rate over the run stays the configured one and
    // the i-th start is never before first + (i − 2) · 10 ms. A send may start late, never before
    // its reserved instant. Node's setTimeout can fire up to ~2 ms before performance.now() reaches
    // its delay, so a single sleep is not enough.
    const reserved: number[] = [];
    const original = RateLimiter.prototype.reserve;
    const spy = vi.spyOn(RateLimiter.prototype, "reserve").mockImplementation(function (this: RateLimiter) {
      const wait = original.call(this);
      reserved.push(performance.now() + wait);
      return wait;
    });
    try {
      const { db } = planned({ sms: 20 });
      const sms = scriptedChannel({ name: "sms", concurrency: 5, ratePerSecond: 100 });
      await dispatch({ db, channels: channelMap(sms) });
      expect(reserved).toHaveLength(20);
      const first = reserved[0] ?? 0;
      reserved.forEach((at, i) => expect(at - first).toBeGreaterThanOrEqual((i - 2) * 10 - 0.05));
      const early = sms.calls
        .map((c, k) => ({ k, early: Math.round(((reserved[k] ?? 0) - c.startedAt) * 1000) / 1000 }))
        .filter((e) => e.early > 0.05);
      expect(early).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it("RateLimiter spaces starts 1000/rate ms apart and never waits without a rate", () => {
    let t = 0;
    const limiter = new RateLimiter(100, () => t);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 10, 20]);
    t = 25;
    expect(limiter.reserve()).toBe(5); // the 4th start is at 30
    t = 100;
    expect(limiter.reserve()).toBe(0);
    expect(limiter.reserve()).toBe(10);
    const free = new RateLimiter(undefined, () => t);
    expect([free.reserve(), free.reserve()]).toEqual([0, 0]);
    expect(new RateLimiter(0, () => t).reserve()).toBe(0);
  });

  it("RateLimiter.tryTurn takes a start only when it may be now, and reserves nothing otherwise", () => {
    let t = 0;
    const limiter = new RateLimiter(100, () => t);
    expect(limiter.tryTurn()).toBe(true); // at 0
    expect(limiter.tryTurn()).toBe(false); // the next is at 10: nothing reserved
    expect(limiter.tryTurn()).toBe(false);
    expect(limiter.reserve()).toBe(10); // still the start at 10
    t = 20;
    expect(limiter.tryTurn()).toBe(true); // the start at 20
    expect(limiter.tryTurn()).toBe(false);
    expect([new RateLimiter(undefined, () => t).tryTurn(), new RateLimiter(undefined, () => t).tryTurn()]).toEqual([true, true]);
  });

  it("retryDelay: full jitter under base·2^(attempt−1), capped; a longer Retry-After wins", () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    expect(retryDelay(1, policy, () => 0.5)).toBe(500);
    expect(retryDelay(3, policy, () => 0.5)).toBe(2000);
    expect(retryDelay(7, policy, () => 0.99)).toBe(59_400); // 64 s capped at 60 s
    expect(retryDelay(0, policy, () => 0.5)).toBe(500);
    expect(retryDelay(4, policy, () => 0)).toBe(0);
    expect(retryDelay(1, policy, () => 0.5, 5000)).toBe(5000);
    expect(retryDelay(3, policy, () => 0.9, 1000)).toBe(3600);
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(a, FAST, () => 0.999))).toEqual([0, 1, 3, 4, 4]);
  });
});

describe("dispatch: abort", () => {
  it("an abort stops new sends: nothing more goes out after the 3rd message was sent", async () => {
    const { db } = planned({ sms: 10 });
    const controller = new AbortController();
    const sms = scriptedChannel({ name: "sms", sendMs: 2 });
    let sent = 0;
    const summary = await dispatch({
      db,
      channels: channelMap(sms),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "sent" && ++sent === 3) controller.abort();
      },
    });
    expect(sms.calls).toHaveLength(3);
    expect(summary).toMatchObject({ sent: 3, waiting: 7 });
  });

  it("sends in flight when aborted finish and are recorded; nothing is left sending", async () => {
    const { db } = planned({ sms: 10 });
    const controller = new AbortController();
    const sms = scriptedChannel({ name: "sms", concurrency: 3, sendMs: 20 });
    const summary = await dispatch({
      db,
      channels: channelMap(sms),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "sent") controller.abort();
      },
    });
    expect(count(db, "SELECT count(*) FROM outbox WHERE state = 'sending'")).toBe(0);
    expect(count(db, "SELECT count(*) FROM outbox WHERE state = 'sent'")).toBe(sms.calls.length);
    expect(summary.sent).toBe(sms.calls.length);
    expect(summary.waiting).toBe(10 - sms.calls.length);
  });

  it("an abort before dispatch starts sends nothing", async () => {
    const { db } = planned({ sms: 3 });
    const sms = scriptedChannel({ name: "sms" });
    const summary = await dispatch({ db, channels: channelMap(sms), signal: AbortSignal.abort() });
    expect(sms.calls).toHaveLength(0);
    expect(summary).toMatchObject({ sent: 0, waiting: 3 });
  });
});
