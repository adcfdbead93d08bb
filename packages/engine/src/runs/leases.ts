import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../store/store.js";

/*
 * Leases in the database: who may do a thing that must not be done twice at once (schedule,
 * dispatch a channel's outbox). A holder renews its lease well before it expires; a holder that
 * crashes stops renewing and the lease is free once it expires — or at once, when the holder was a
 * process on this host that no longer exists (a `kill -9` should not cost a minute's wait).
 * Taking a lease is one IMMEDIATE transaction, so two processes cannot both win.
 */

export interface Holder {
  /** Unique per process and purpose. */
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
}

export function newHolder(): Holder {
  return { owner: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`, pid: process.pid, host: hostname() };
}

export interface LeaseInfo {
  readonly name: string;
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  readonly expiresAt: number;
}

/** True when `pid` names a live process on this machine (signal 0 tests without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder's or another live holder's lease: whether `holder` now holds `name` until now + ttl. */
export function tryAcquire(
  db: Db,
  name: string,
  holder: Holder,
  ttlMs: number,
  now = Date.now(),
): { acquired: true } | { acquired: false; heldBy: LeaseInfo } {
  return db
    .transaction(() => {
      const current = db.prepare("SELECT name, owner, pid, host, expires_at AS expiresAt FROM leases WHERE name = ?").get(name) as
        LeaseInfo | undefined;
      const free =
        current === undefined ||
        current.owner === holder.owner ||
        current.expiresAt <= now ||
        (current.host === holder.host && current.pid !== holder.pid && !processAlive(current.pid));
      if (!free) return { acquired: false as const, heldBy: current };
      db.prepare(
        `INSERT INTO leases (name, owner, pid, host, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at`,
      ).run(name, holder.owner, holder.pid, holder.host, now + ttlMs);
      return { acquired: true as const };
    })
    .immediate();
}

/** Extends a lease the holder has; false when it was lost (expired and taken by another). */
export function renew(db: Db, name: string, holder: Holder, ttlMs: number, now = Date.now()): boolean {
  return db.prepare("UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?").run(now + ttlMs, name, holder.owner).changes === 1;
}

export function release(db: Db, name: string, holder: Holder): void {
  db.prepare("DELETE FROM leases WHERE name = ? AND owner = ?").run(name, holder.owner);
}

/** Whether a lease is still valid: unexpired, and not held by a dead process on this host. */
function isLive(lease: LeaseInfo, now: number, host: string): boolean {
  return lease.expiresAt > now && !(lease.host === host && !processAlive(lease.pid));
}

/** Owners of leases that are still valid (unexpired, and not a dead process on this host). */
export function liveOwners(db: Db, now = Date.now()): Set<string> {
  const rows = db.prepare("SELECT name, owner, pid, host, expires_at AS expiresAt FROM leases").all() as LeaseInfo[];
  const host = hostname();
  return new Set(rows.filter((r) => isLive(r, now, host)).map((r) => r.owner));
}

/**
 * Deletes leases whose holders are gone (expired, or a dead process on this host) among those
 * whose names start with `prefix`: every dispatcher takes a lease of its own name, and one killed
 * with `kill -9` never releases it. A lease is deleted only as it was read (same owner, same
 * expiry): one its holder renewed, or another took, since then is left alone.
 */
export function pruneLeases(db: Db, prefix: string, now = Date.now()): number {
  const rows = db
    .prepare("SELECT name, owner, pid, host, expires_at AS expiresAt FROM leases WHERE substr(name, 1, length(?)) = ?")
    .all(prefix, prefix) as LeaseInfo[];
  const drop = db.prepare("DELETE FROM leases WHERE name = ? AND owner = ? AND expires_at = ?");
  const host = hostname();
  let pruned = 0;
  for (const row of rows) if (!isLive(row, now, host)) pruned += drop.run(row.name, row.owner, row.expiresAt).changes;
  return pruned;
}
