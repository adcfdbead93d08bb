import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { liveOwners, newHolder, processAlive, pruneLeases, release, renew, tryAcquire, type Holder } from "../../src/runs/leases.js";
import type { Db } from "../../src/store/store.js";
import { memoryStore } from "../support/store.js";
import { afterFirstRead, deadPid, twoConnections } from "./support.js";

/*
 * Leases: one holder at a time, taken over when it expires, or at once when its holder was a
 * process on this host that has exited. Times are given explicitly (the `now` parameters), so
 * expiry is exact to the millisecond.
 */

const T = 1_800_000_000_000;
const TTL = 30_000;
const HOST = hostname();

const holder = (owner: string, pid = process.pid, host = HOST): Holder => ({ owner, pid, host });
const leaseRow = (db: Db, name: string) =>
  db.prepare("SELECT owner, pid, host, expires_at AS expiresAt FROM leases WHERE name = ?").get(name);

describe("leases", () => {
  it("newHolder names this process on this host, uniquely", () => {
    const a = newHolder();
    const b = newHolder();
    expect(a.pid).toBe(process.pid);
    expect(a.host).toBe(HOST);
    expect(a.owner).toMatch(new RegExp(`^${HOST.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${process.pid}:[0-9a-f]{8}$`));
    expect(a.owner).not.toBe(b.owner);
  });

  it("acquires a free lease until now + ttl", () => {
    const db = memoryStore();
    expect(tryAcquire(db, "schedule", holder("a"), TTL, T)).toEqual({ acquired: true });
    expect(leaseRow(db, "schedule")).toEqual({ owner: "a", pid: process.pid, host: HOST, expiresAt: T + TTL });
  });

  it("is refused while another live holder has it, and says who", () => {
    const db = memoryStore();
    tryAcquire(db, "schedule", holder("a"), TTL, T);
    // Same live pid (this process), another owner: held.
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + TTL - 1)).toEqual({
      acquired: false,
      heldBy: { name: "schedule", owner: "a", pid: process.pid, host: HOST, expiresAt: T + TTL },
    });
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "a", expiresAt: T + TTL });
  });

  it("the holder acquiring again extends its own lease", () => {
    const db = memoryStore();
    tryAcquire(db, "schedule", holder("a"), TTL, T);
    expect(tryAcquire(db, "schedule", holder("a"), TTL, T + 10_000)).toEqual({ acquired: true });
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "a", expiresAt: T + 10_000 + TTL });
  });

  it("an expired lease is taken: at expires_at exactly, not 1 ms before", () => {
    const db = memoryStore();
    tryAcquire(db, "schedule", holder("a"), TTL, T);
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + TTL - 1).acquired).toBe(false);
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + TTL)).toEqual({ acquired: true });
    expect(leaseRow(db, "schedule")).toEqual({ owner: "b", pid: process.pid, host: HOST, expiresAt: T + 2 * TTL });
  });

  it("a lease whose holder is a dead process on this host is taken at once", async () => {
    const db = memoryStore();
    const pid = await deadPid();
    expect(processAlive(pid)).toBe(false);
    tryAcquire(db, "schedule", holder("ghost", pid), 3_600_000, T);
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + 1)).toEqual({ acquired: true });
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "b", pid: process.pid });
  });

  it("a dead pid on another host is not ours to judge: held until it expires", async () => {
    const db = memoryStore();
    const pid = await deadPid();
    tryAcquire(db, "schedule", holder("remote", pid, `not-${HOST}`), TTL, T);
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + 1).acquired).toBe(false);
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + TTL).acquired).toBe(true);
  });

  it("renew extends only the holder's own lease, and fails once it was taken over", () => {
    const db = memoryStore();
    tryAcquire(db, "schedule", holder("a"), TTL, T);
    expect(renew(db, "schedule", holder("a"), TTL, T + 20_000)).toBe(true);
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "a", expiresAt: T + 20_000 + TTL });
    expect(renew(db, "schedule", holder("b"), TTL, T + 20_000)).toBe(false);
    // a lapses, b takes it, a's renew now fails.
    tryAcquire(db, "schedule", holder("b"), TTL, T + 20_000 + TTL);
    expect(renew(db, "schedule", holder("a"), TTL, T + 20_000 + TTL + 1)).toBe(false);
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "b" });
    expect(renew(db, "missing", holder("a"), TTL, T)).toBe(false);
  });

  it("release frees the holder's own lease only", () => {
    const db = memoryStore();
    tryAcquire(db, "schedule", holder("a"), TTL, T);
    release(db, "schedule", holder("b"));
    expect(leaseRow(db, "schedule")).toMatchObject({ owner: "a" });
    release(db, "schedule", holder("a"));
    expect(leaseRow(db, "schedule")).toBeUndefined();
    expect(tryAcquire(db, "schedule", holder("b"), TTL, T + 1)).toEqual({ acquired: true });
  });

  it("leases of different names are independent", () => {
    const db = memoryStore();
    expect(tryAcquire(db, "dispatch:sms", holder("a"), TTL, T).acquired).toBe(true);
    expect(tryAcquire(db, "dispatch:email", holder("b"), TTL, T).acquired).toBe(true);
    expect(tryAcquire(db, "dispatch:sms", holder("b"), TTL, T).acquired).toBe(false);
  });

  it("liveOwners: unexpired leases of live processes, and of other hosts", async () => {
    const db = memoryStore();
    const pid = await deadPid();
    tryAcquire(db, "live", holder("live"), TTL, T);
    tryAcquire(db, "expired", holder("expired"), TTL, T - TTL); // expires at T exactly
    tryAcquire(db, "dead", holder("dead", pid), 3_600_000, T);
    tryAcquire(db, "remote", holder("remote", pid, `not-${HOST}`), TTL, T);
    expect([...liveOwners(db, T)].sort()).toEqual(["live", "remote"]);
    expect([...liveOwners(db, T - 1)].sort()).toEqual(["expired", "live", "remote"]);
  });

  describe("between two connections to one database file", () => {
    it("only one of two processes' connections wins", async () => {
      await twoConnections(async (one, two) => {
        expect(tryAcquire(one, "schedule", holder("one"), TTL, T).acquired).toBe(true);
        const second = tryAcquire(two, "schedule", holder("two"), TTL, T);
        expect(second).toMatchObject({ acquired: false, heldBy: { owner: "one" } });
      });
    });

    it("pruneLeases deletes a gone holder's lease as it read it: one renewed or taken meanwhile stays", async () => {
      await twoConnections(async (one, two) => {
        const pid = await deadPid();
        tryAcquire(one, "dispatcher:dead", holder("dead", pid), 3_600_000, T);
        tryAcquire(one, "dispatcher:slow", holder("slow"), TTL, T - TTL); // expired at T
        tryAcquire(one, "schedule", holder("gone", pid), TTL, T); // another prefix
        // Just after `two` reads the leases, the slow holder renews its lease and a new one starts.
        const watched = afterFirstRead(two, /FROM leases/, () => {
          expect(renew(one, "dispatcher:slow", holder("slow"), TTL, T)).toBe(true);
          tryAcquire(one, "dispatcher:late", holder("late"), TTL, T);
        });
        expect(pruneLeases(watched, "dispatcher:", T)).toBe(1);
        const names = one.prepare("SELECT name FROM leases ORDER BY name").pluck().all();
        expect(names).toEqual(["dispatcher:late", "dispatcher:slow", "schedule"]);
      });
    });
  });
});
