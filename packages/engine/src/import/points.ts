import { RowReject } from "./cells.js";
import { memberCheck, requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler } from "./handler.js";
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
 *   the first line. (The store's UNIQUE constraint treats NULL expiries as distinct, so lots
 *   that never expire are matched here with IS, not left to the constraint.)
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
  const { db, plan, cells, counts } = ctx;
  const src = {
    member: requiredSource(plan, "member_id"),
    points: requiredSource(plan, "points"),
    earned: requiredSource(plan, "earned_at"),
    expires: plan.canonical.get("expires_at"),
  };
  const members = memberCheck(ctx, src.member);
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
      const create = members.check(member);
      const expiresKey = expires ?? "never";
      if (see.run(member, earned, expiresKey, points, line).changes === 0) {
        const earlier = firstLine.get(member, earned, expiresKey, points) as number;
        throw new RowReject(
          "duplicate",
          `the same lot (member ${JSON.stringify(member)}, ${points} points, same earned_at and expires_at) is on line ${earlier}`,
        );
      }
      if (create) members.create(member);
      if (!ctx.freshTable && stored.get(member, earned, expires, points) !== undefined) {
        counts.unchanged++;
      } else {
        insert.run(member, points, earned, expires);
        counts.inserted++;
      }
    },
    finish() {},
  };
}
