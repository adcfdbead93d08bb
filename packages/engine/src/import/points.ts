import { RowReject } from "./cells.js";
import { checkMembers, memberCheck, requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler, MemberCheck } from "./handler.js";
import { HeldRows } from "./held-rows.js";
import { STAGE } from "./stage.js";

/*
 * Point lots: one row is one lot (member_id, points, earned_at, expires_at), stored with source
 * "import".
 *
 * - A lot has no id of its own, so its identity is all of it: a row equal to a stored lot is
 *   unchanged, anything else is a new lot. Re-importing a file changes nothing; importing a
 *   corrected file adds the corrected lots beside the old ones (there is nothing to say which
 *   old lot a changed row replaces).
 * - Two equal rows in one file would be one lot: the later is rejected as a duplicate naming
 *   the first line. Into an empty table, the store's identity index (point_lots_identity, where
 *   a lot that never expires is one too) finds them, and the first line is the first row's
 *   rowid (bulk.ts); into a table with lots, the stage remembers the file's lots and lines.
 * - points may be negative (an adjustment); expires_at is optional (never expires) and must be
 *   after earned_at.
 * - A row without a member id is rejected as "no member id"; an unknown member is rejected,
 *   unless --create-members.
 */
export const POINTS_STAGE = `
CREATE TABLE ${STAGE}.lots_seen (
  member_id TEXT NOT NULL,
  earned_at INTEGER NOT NULL,
  expires_key NOT NULL,
  points REAL NOT NULL,
  line INTEGER NOT NULL,
  PRIMARY KEY (member_id, earned_at, expires_key, points)
) WITHOUT ROWID;`;

export function pointsHandler(ctx: HandlerContext): KindHandler {
  const { plan, cells } = ctx;
  const src = {
    member: requiredSource(plan, "member_id"),
    points: requiredSource(plan, "points"),
    earned: requiredSource(plan, "earned_at"),
    expires: plan.canonical.get("expires_at"),
  };
  const members = memberCheck(ctx, src.member);
  const lot: Lot = { member: "", points: 0, earned: 0, expires: null };
  const read = (): Lot => {
    lot.member = cells.required(src.member, "no-member-id", "no member id");
    lot.points = cells.requiredNumber(src.points);
    lot.earned = cells.requiredInstant(src.earned);
    lot.expires = cells.instant(src.expires);
    if (lot.expires !== null && lot.expires <= lot.earned) {
      throw new RowReject(
        "bad-value",
        `${src.expires?.label ?? "expires_at"} ${new Date(lot.expires).toISOString()} is not after ${src.earned.label} ${new Date(lot.earned).toISOString()}`,
      );
    }
    return lot;
  };
  return ctx.freshTable ? bulkLots(ctx, read, members) : stagedLots(ctx, read, members);
}

/** One row of the file, read and checked (but for its member: see MemberCheck). */
interface Lot {
  member: string;
  points: number;
  earned: number;
  expires: number | null;
}

function duplicateReason(member: string, points: number, line: number): string {
  return `the same lot (member ${JSON.stringify(member)}, ${points} points, same earned_at and expires_at) is on line ${line}`;
}

/**
 * Into an empty table: lots held back and written many at a time, each with its line as rowid.
 * Their members are looked up together when they are written.
 */
function bulkLots(ctx: HandlerContext, read: () => Lot, members: MemberCheck): KindHandler {
  const { db, counts } = ctx;
  const held = new HeldRows<readonly string[]>(db, "point_lots", ["member_id", "points", "earned_at", "expires_at", "source"]);
  const stored = db
    .prepare(
      `SELECT rowid FROM main.point_lots
       WHERE member_id = ? AND earned_at = ? AND coalesce(expires_at, 'never') = coalesce(?, 'never') AND points = ? AND source = 'import'`,
    )
    .pluck();
  return {
    row(line, fields) {
      const { member, points, earned, expires } = read();
      held.row(line, fields).push(member, points, earned, expires, "import");
      if (held.full) this.flush();
    },
    flush() {
      const n = held.size;
      if (n === 0) return;
      const { unknown, skip } = checkMembers(held, 0, members, ctx.createMembers);
      const written = held.write(skip);
      counts.inserted += written.count;
      for (let i = 0; i < n; i++) {
        const line = held.lines[i] as number;
        const member = held.value(i, 0) as string;
        const fields = held.extras[i] as readonly string[];
        if (skip?.has(i)) {
          ctx.reject(line, fields, "unknown-member", members.unknownReason(member));
        } else if (written.has(line)) {
          if (unknown.has(member)) members.create(member);
        } else {
          // Ignored by the identity index: an equal lot is on an earlier line of this file.
          const points = held.value(i, 1) as number;
          const first = stored.get(member, held.value(i, 2), held.value(i, 3), points) as number | undefined;
          if (first === undefined) throw new Error(`internal: the lot of line ${line} was neither written nor found`);
          ctx.reject(line, fields, "duplicate", duplicateReason(member, points, first));
        }
      }
      held.clear();
    },
    finish() {},
  };
}

/** Into a table with lots: one at a time, the stage remembering the lots this file has had. */
function stagedLots(ctx: HandlerContext, read: () => Lot, members: MemberCheck): KindHandler {
  const { db, counts } = ctx;
  const see = db.prepare(
    `INSERT OR IGNORE INTO ${STAGE}.lots_seen (member_id, earned_at, expires_key, points, line) VALUES (?, ?, ?, ?, ?)`,
  );
  const firstLine = db
    .prepare(`SELECT line FROM ${STAGE}.lots_seen WHERE member_id = ? AND earned_at = ? AND expires_key = ? AND points = ?`)
    .pluck();
  const stored = db
    .prepare("SELECT 1 FROM main.point_lots WHERE member_id = ? AND earned_at = ? AND expires_at IS ? AND points = ? AND source = 'import'")
    .pluck();
  const insert = db.prepare("INSERT INTO main.point_lots (member_id, points, earned_at, expires_at, source) VALUES (?, ?, ?, ?, 'import')");

  return {
    row(line) {
      const { member, points, earned, expires } = read();
      const create = members.check(member);
      const expiresKey = expires ?? "never";
      if (see.run(member, earned, expiresKey, points, line).changes === 0) {
        throw new RowReject("duplicate", duplicateReason(member, points, firstLine.get(member, earned, expiresKey, points) as number));
      }
      if (create) members.create(member);
      if (stored.get(member, earned, expires, points) !== undefined) {
        counts.unchanged++;
      } else {
        insert.run(member, points, earned, expires);
        counts.inserted++;
      }
    },
    flush() {},
    finish() {},
  };
}
