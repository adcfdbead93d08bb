import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { dispatch, type DispatchEvent } from "../../src/dispatch/dispatcher.js";
import { tryAcquire } from "../../src/runs/leases.js";
import { messageKey } from "../../src/runs/run.js";
import type { Db } from "../../src/store/store.js";
import { instant, memoryStore } from "../support/store.js";
import {
  addReachable,
  afterFirstRead,
  ALL_CHANNELS,
  channelMap,
  count,
  deadPid,
  memberIds,
  outboxRow,
  planSlot,
  scriptedChannel,
  seededRandom,
  twoConnections,
  ZONE,
  type SendCall,
} from "./support.js";

/*
 * Crash safety: rows a dead dispatcher left "sending" are settled by the next one according to
 * what the provider allows (send again, ask, or give up without sending twice); rows in flight at
 * a live dispatcher are left alone; two dispatchers on one database send every row exactly once.
 */

const SLOT = instant("2024-06-01T09:30", ZONE);
const key = (member: string) => messageKey("all-channels", SLOT, member, 0);

function planned(counts: { sms?: number; email?: number }, db: Db = memoryStore()): Db {
  addReachable(db, counts);
  planSlot(db, ALL_CHANNELS, SLOT);
  return db;
}

/** What a dispatcher that died mid-send leaves: the row sending, claimed, one attempt counted. */
function leftSending(db: Db, member: string, owner: string | null, claimedAt: number): void {
  const changed = db
    .prepare("UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, attempts = 1 WHERE member_id = ? AND state = 'queued'")
    .run(owner, claimedAt, member).changes;
  if (changed !== 1) throw new Error(`no queued row for ${member}`);
}

describe("recovering rows left sending by a dead dispatcher", () => {
  it("an idempotent provider is simply sent the message again", async () => {
    const db = planned({ sms: 2 });
    leftSending(db, "s01", "dead-owner", Date.now() - 5_000);
    const sms = scriptedChannel({ name: "sms", idempotent: true });
    const events: DispatchEvent[] = [];
    const summary = await dispatch({ db, channels: channelMap(sms), onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ recovered: 1, sent: 2, failed: 0 });
    expect(sms.calls.filter((c) => c.key === key("s01"))).toHaveLength(1);
    // The attempt the dead process used is given back: the resend is attempt 1.
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sent", attempts: 1, provider_id: `scripted-sms-${key("s01")}` });
    expect(events.filter((e) => e.type === "recovered")).toEqual([
      { type: "recovered", id: outboxRow(db, "s01").id, channel: "sms", outcome: "requeued" },
    ]);
  });

  it("an idempotent provider that drops repeats only for a while: resent inside the window", async () => {
    const db = planned({ sms: 1 });
    leftSending(db, "s01", "dead-owner", Date.now() - 5_000);
    const sms = scriptedChannel({ name: "sms", idempotent: true, idempotentForMs: 600_000 });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ recovered: 1, sent: 1 });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s01")]);
  });

  it("outside the window a repeat would be delivered: asked when it can be, else outcome-unknown", async () => {
    const claimedAt = Date.now() - 20 * 60_000; // 20 minutes ago, the window is 10
    const plain = planned({ sms: 1 });
    leftSending(plain, "s01", "dead-owner", claimedAt);
    const sms = scriptedChannel({ name: "sms", idempotent: true, idempotentForMs: 600_000 });
    await dispatch({ db: plain, channels: channelMap(sms) });
    expect(sms.calls).toHaveLength(0);
    expect(outboxRow(plain, "s01")).toMatchObject({ state: "failed", error_code: "outcome-unknown" });

    const askable = planned({ sms: 1 });
    leftSending(askable, "s01", "dead-owner", claimedAt);
    const asked = scriptedChannel({
      name: "sms",
      idempotent: true,
      idempotentForMs: 600_000,
      lookup: () => ({ found: true, providerId: "wx-1" }),
    });
    await dispatch({ db: askable, channels: channelMap(asked) });
    expect(asked.calls).toHaveLength(0);
    expect(asked.lookups.map((l) => l.key)).toEqual([key("s01")]);
    expect(outboxRow(askable, "s01")).toMatchObject({ state: "sent", provider_id: "wx-1" });
  });

  it("a provider that can be asked: found → recorded as sent without sending again", async () => {
    const db = planned({ sms: 2 });
    const claimedAt = Date.now() - 5_000;
    leftSending(db, "s01", "dead-owner", claimedAt);
    const sms = scriptedChannel({ name: "sms", lookup: () => ({ found: true, providerId: "SM-already-there" }) });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ recovered: 1, sent: 1, failed: 0 });
    expect(sms.lookups).toHaveLength(1);
    expect(sms.lookups[0]?.key).toBe(key("s01"));
    expect(sms.lookups[0]?.since.getTime()).toBeLessThanOrEqual(claimedAt);
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
    expect(outboxRow(db, "s01")).toMatchObject({
      state: "sent",
      provider: "scripted-sms",
      provider_id: "SM-already-there",
      claimed_by: null,
    });
  });

  it("a provider that can be asked: not found → sent again", async () => {
    const db = planned({ sms: 1 });
    leftSending(db, "s01", "dead-owner", Date.now() - 5_000);
    const sms = scriptedChannel({ name: "sms", lookup: () => ({ found: false }) });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ recovered: 1, sent: 1 });
    expect(sms.lookups.map((l) => l.key)).toEqual([key("s01")]);
    expect(sms.calls.map((c) => c.key)).toEqual([key("s01")]);
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sent", attempts: 1, provider_id: `scripted-sms-${key("s01")}` });
  });

  it("a provider that neither drops repeats nor can be asked: failed as outcome-unknown, never sent twice", async () => {
    const db = planned({ sms: 2 });
    leftSending(db, "s01", "dead-owner", Date.now() - 5_000);
    const sms = scriptedChannel({ name: "sms", provider: "smtp-ish" });
    const events: DispatchEvent[] = [];
    const summary = await dispatch({ db, channels: channelMap(sms), onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ recovered: 1, sent: 1 });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
    const row = outboxRow(db, "s01");
    expect(row).toMatchObject({ state: "failed", error_code: "outcome-unknown", provider: "smtp-ish", sent_at: null });
    expect(row.error).toMatch(/smtp-ish/);
    expect(row.error).toMatch(/not sent again/);
    expect(events.find((e) => e.type === "recovered")).toMatchObject({ outcome: "unknown" });
    // And a later dispatch does not touch it either.
    await dispatch({ db, channels: channelMap(sms) });
    expect(sms.calls.filter((c) => c.key === key("s01"))).toHaveLength(0);
  });

  it("a lookup that fails (the provider's API is down) leaves that row unsettled and still sends the rest", async () => {
    const db = planned({ sms: 2 });
    leftSending(db, "s01", "dead-owner", Date.now() - 5_000);
    let down = true;
    const sms = scriptedChannel({
      name: "sms",
      lookup: () => {
        if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:443");
        return { found: true, providerId: "SM-later" };
      },
    });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ sent: 1 });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
    expect(outboxRow(db, "s01").state).toBe("sending");
    // Once the provider answers again, the next dispatch settles it.
    down = false;
    await dispatch({ db, channels: channelMap(sms) });
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sent", provider_id: "SM-later" });
    expect(sms.calls.filter((c) => c.key === key("s01"))).toHaveLength(0);
  });

  it("orphans: no claimer, an expired lease, a dead process's lease — all settled", async () => {
    const db = planned({ sms: 3 });
    const pid = await deadPid();
    tryAcquire(db, "dispatcher:expired", { owner: "expired", pid: process.pid, host: hostname() }, 1_000, Date.now() - 60_000);
    tryAcquire(db, "dispatcher:dead", { owner: "dead", pid, host: hostname() }, 3_600_000, Date.now());
    leftSending(db, "s01", null, Date.now() - 5_000);
    leftSending(db, "s02", "expired", Date.now() - 5_000);
    leftSending(db, "s03", "dead", Date.now() - 5_000);
    const sms = scriptedChannel({ name: "sms", idempotent: true });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ recovered: 3, sent: 3 });
    expect(sms.calls.map((c) => c.key).sort()).toEqual(memberIds("s", 3).map(key));
  });

  it("rows claimed by a live dispatcher (its lease held in the same database) are left alone", async () => {
    const db = planned({ sms: 2 });
    const claimedAt = Date.now() - 1_000;
    tryAcquire(db, "dispatcher:other", { owner: "other", pid: process.pid, host: hostname() }, 60_000, Date.now());
    leftSending(db, "s01", "other", claimedAt);
    const sms = scriptedChannel({ name: "sms", idempotent: true, lookup: () => ({ found: true, providerId: "x" }) });
    const summary = await dispatch({ db, channels: channelMap(sms) });
    expect(summary).toMatchObject({ recovered: 0, sent: 1 });
    expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
    expect(sms.lookups).toHaveLength(0);
    expect(outboxRow(db, "s01")).toMatchObject({ state: "sending", claimed_by: "other", claimed_at: claimedAt, attempts: 1 });
  });

  it("orphans of channels this dispatcher does not have are left for one that has them", async () => {
    const db = planned({ sms: 1, email: 1 });
    leftSending(db, "e01", "dead-owner", Date.now() - 5_000);
    const summary = await dispatch({ db, channels: channelMap(scriptedChannel({ name: "sms", idempotent: true })) });
    expect(summary).toMatchObject({ recovered: 0, sent: 1 });
    expect(outboxRow(db, "e01")).toMatchObject({ state: "sending", claimed_by: "dead-owner" });
  });
});

describe("two dispatchers on one database file", () => {
  it("a dispatcher that takes its lease and claims a row while another looks for orphans is not taken for dead", async () => {
    await twoConnections(async (one, two) => {
      planned({ sms: 2 }, one);
      const claimedAt = Date.now();
      // Just after `two` first reads the leases or the outbox, `one` starts a dispatcher of its
      // own: it takes its lease and claims s01 (as another process could at that moment).
      let started = false;
      const startOther = (): void => {
        if (started) return;
        started = true;
        tryAcquire(one, "dispatcher:other", { owner: "other", pid: process.pid, host: hostname() }, 60_000, Date.now());
        leftSending(one, "s01", "other", claimedAt);
      };
      const watched = afterFirstRead(two, /FROM leases$|state = 'sending'/, startOther);
      const sms = scriptedChannel({ name: "sms" });
      const summary = await dispatch({ db: watched, channels: channelMap(sms) });
      expect(started).toBe(true);
      expect(summary).toMatchObject({ recovered: 0, failed: 0, sent: 1 });
      expect(sms.calls.map((c) => c.key)).toEqual([key("s02")]);
      expect(outboxRow(one, "s01")).toMatchObject({ state: "sending", claimed_by: "other", claimed_at: claimedAt });
    });
  });

  it("send every row exactly once", async () => {
    await twoConnections(async (one, two) => {
      planned({ sms: 60, email: 20 }, one);
      // Two copies of each provider (one per dispatcher) writing to one log: what the provider saw.
      const log: SendCall[] = [];
      const random = seededRandom(42);
      const sendMs = () => Math.floor(random() * 4);
      const channels = () =>
        channelMap(
          scriptedChannel({ name: "sms", concurrency: 4, sendMs, log }),
          scriptedChannel({ name: "email", concurrency: 2, sendMs, log }),
        );
      const [a, b] = await Promise.all([dispatch({ db: one, channels: channels() }), dispatch({ db: two, channels: channels() })]);
      const keys = log.map((c) => c.key);
      expect(keys).toHaveLength(80);
      expect(new Set(keys).size).toBe(80);
      expect(new Set(keys)).toEqual(new Set([...memberIds("s", 60), ...memberIds("e", 20)].map(key)));
      expect(a.sent + b.sent).toBe(80);
      // Both took part (otherwise this would test nothing).
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
      expect(count(one, "SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts = 1")).toBe(80);
      expect(count(two, "SELECT count(*) FROM leases")).toBe(0);
    });
  });
});
