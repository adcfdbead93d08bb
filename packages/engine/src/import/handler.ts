import type { Db } from "../store/store.js";
import { RowReject } from "./cells.js";
import type { Cells } from "./cells.js";
import type { ColumnPlan, Source } from "./columns.js";
import type { ImportConfig } from "./types.js";

/** Counters a kind's handler moves; the orchestrator adds read/rejected. */
export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  merged: number;
  returns: number;
  zeroAmount: number;
  membersCreated: number;
}

export interface HandlerContext {
  readonly db: Db;
  readonly plan: ColumnPlan;
  readonly cells: Cells;
  readonly counts: Counts;
  readonly config: ImportConfig;
  readonly createMembers: boolean;
  /**
   * The table was empty when the import began (a bulk load): nothing stored can match a row
   * except rows of this same file, so the handlers skip looking for stored rows.
   */
  readonly freshTable: boolean;
}

/** One kind of import: the stage tables it needs, and what it does with a row. */
export interface KindHandler {
  /** Imports the row now in `cells` (starting on `line`); throws RowReject. */
  row(line: number): void;
  /** After the last row, inside a transaction: counts that need the whole file. */
  finish(): void;
}

/** The plan's source for a canonical column that REQUIRED_COLUMNS guarantees. */
export function requiredSource(plan: ColumnPlan, name: string): Source {
  const s = plan.canonical.get(name);
  if (s === undefined) throw new Error(`internal: column ${name} should have been required`);
  return s;
}

/**
 * purchases/points: is this member known? An unknown id rejects the row, or with createMembers
 * becomes a bare member (id only) once the row is known to be imported (`create`), so a row
 * rejected for another reason creates no one. Answers are cached in two generations of at most
 * 250k ids each (a member seen recently stays known), so memory stays bounded on any file.
 */
export interface MemberCheck {
  /** Throws a RowReject for an unknown id without createMembers; true when `create` must follow. */
  check(id: string): boolean;
  create(id: string): void;
}

export function memberCheck(ctx: HandlerContext, memberSource: Source): MemberCheck {
  const exists = ctx.db.prepare("SELECT 1 FROM main.members WHERE id = ?").pluck();
  const insert = ctx.db.prepare("INSERT INTO main.members (id) VALUES (?) ON CONFLICT (id) DO NOTHING");
  let known = new Set<string>();
  let older = new Set<string>();
  const remember = (id: string): void => {
    if (known.size >= 250_000) {
      older = known;
      known = new Set();
    }
    known.add(id);
  };
  return {
    check(id) {
      if (known.has(id)) return false;
      if (older.has(id) || exists.get(id) !== undefined) {
        remember(id);
        return false;
      }
      if (!ctx.createMembers) {
        throw new RowReject(
          "unknown-member",
          `unknown member ${JSON.stringify(id)} (${memberSource.label}); import members first, or use --create-members`,
        );
      }
      return true;
    },
    create(id) {
      if (insert.run(id).changes === 1) ctx.counts.membersCreated++;
      remember(id);
    },
  };
}
