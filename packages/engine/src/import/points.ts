import { RowReject } from "./cells.js";
import type { ColumnPlan } from "./columns.js";
import { checkMembers, memberCheck, requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler, MemberCheck } from "./handler.js";
import { HeldRows } from "./held-rows.js";
import type { RowParser, SqlValue, ValueType } from "./rows.js";
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
  const members = memberCheck(ctx, requiredSource(ctx.plan, "member_id"));
  return ctx.freshTable ? bulkLots(ctx, members) : stagedLots(ctx, members);
}

// A row's values: member_id, points, earned_at, expires_at.
const MEMBER = 0;
const POINTS = 1;
const EARNED = 2;
const EXPIRES = 3;
const TYPES: readonly ValueType[] = ["text", "number", "number", "number"];

/** Reads a row into its values, checked but for its member (see MemberCheck). */
export function pointsParser(plan: ColumnPlan): RowParser {
  const src = {
    member: requiredSource(plan, "member_id"),
    points: requiredSource(plan, "points"),
    earned: requiredSource(plan, "earned_at"),
    expires: plan.canonical.get("expires_at"),
  };
  return {
    types: TYPES,
    read(cells, out) {
      const member = cells.required(src.member, "no-member-id", "no member id");
      const points = cells.requiredNumber(src.points);
      const earned = cells.requiredInstant(src.earned);
      const expires = cells.instant(src.expires);
      if (expires !== null && expires <= earned) {
        throw new RowReject(
          "bad-value",
          `${src.expires?.label ?? "expires_at"} ${new Date(expires).toISOString()} is not after ${src.earned.label} ${new Date(earned).toISOString()}`,
        );
      }
      out[MEMBER] = member;
      out[POINTS] = points;
      out[EARNED] = earned;
      out[EXPIRES] = expires;
    },
  };
}

function duplicateReason(member: string, points: number, line: number): string {
  return `the same lot (member ${JSON.stringify(member)}, ${points} points, same earned_at and expires_at) is on line ${line}`;
}

/**
 * Into an empty table: lots held back and written many at a time, each with its line as rowid.
 * Their members are looked up together when they are written.
 */
function bulkLots(ctx: HandlerContext, members: MemberCheck): KindHandler {
  const { db, counts } = ctx;
  // Beside each held row: where it is in the batch (for its cells).
  const held = new HeldRows<number>(db, "point_lots", ["member_id", "points", "earned_at", "expires_at", "source"]);
  const stored = db
    .prepare(
      `SELECT rowid FROM main.point_lots
       WHERE member_id = ? AND earned_at = ? AND coalesce(expires_at, 'never') = coalesce(?, 'never') AND points = ? AND source = 'import'`,
    )
    .pluck();
  return {
    row(line, v, at) {
      held.row(line, at);
      for (let c = 0; c < TYPES.length; c++) held.put(v[c] as SqlValue);
      held.put("import");
      if (held.full) this.flush();
    },
    flush() {
      const n = held.size;
      if (n === 0) return;
      const { unknown, skip } = checkMembers(held, 0, members, ctx.createMembers);
      const written = held.write(skip);
      counts.inserted += written.count;
      for (let i = 0; i < n; i++) {
        const line = held.line(i);
        const member = held.value(i, 0) as string;
        if (skip?.has(i)) {
          ctx.reject(line, ctx.cellsAt(held.extra(i)), "unknown-member", members.unknownReason(member));
        } else if (written.has(line)) {
          if (unknown.has(member)) members.create(member);
        } else {
          // Ignored by the identity index: an equal lot is on an earlier line of this file.
          const points = held.value(i, 1) as number;
          const first = stored.get(member, held.value(i, 2), held.value(i, 3), points) as number | undefined;
          if (first === undefined) throw new Error(`internal: the lot of line ${line} was neither written nor found`);
          ctx.reject(line, ctx.cellsAt(held.extra(i)), "duplicate", duplicateReason(member, points, first));
        }
      }
      held.clear();
    },
    finish() {},
  };
}

/** Into a table with lots: one at a time, the stage remembering the lots this file has had. */
function stagedLots(ctx: HandlerContext, members: MemberCheck): KindHandler {
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
    row(line, v) {
      const member = v[MEMBER] as string;
      const points = v[POINTS] as number;
      const earned = v[EARNED] as number;
      const expires = v[EXPIRES] as number | null;
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
