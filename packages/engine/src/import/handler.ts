import type { Db } from "../store/store.js";
import { RowReject } from "./cells.js";
import type { ColumnPlan, Source } from "./columns.js";
import type { HeldRows } from "./held-rows.js";
import type { SqlValue } from "./rows.js";
import type { ImportConfig, RejectCode } from "./types.js";

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
  readonly counts: Counts;
  readonly config: ImportConfig;
  readonly createMembers: boolean;
  /**
   * The table was empty when the import began (a bulk load, see bulk.ts): nothing stored can
   * match a row except rows of this same file, and each row stored is given its line as rowid.
   */
  readonly freshTable: boolean;
  /** Rejects a row the handler held back (see KindHandler.flush), in file order. */
  readonly reject: (line: number, fields: readonly string[], code: RejectCode, reason: string) => void;
  /** The cells of the row `at` of the batch being imported (KindHandler.row), for the rejects file. */
  readonly cellsAt: (at: number) => readonly string[];
  /** A bulk load: an index kept because the rows come in its order, to drop once they do not (bulk.ts). */
  readonly dropIndex: (name: string) => void;
}

/** One kind of import: what it does with a row read (its RowParser's values) in the store. */
export interface KindHandler {
  /**
   * Imports a row (starting on `line`, the row `at` of the batch; `values` are only lent for the
   * call); throws RowReject. A handler may hold rows back to write many with one statement.
   */
  row(line: number, values: readonly SqlValue[], at: number): void;
  /**
   * Writes the rows held back, rejecting (through HandlerContext.reject) those that turn out to
   * conflict. Called before any other reject is reported, so rejects stay in file order, and at
   * the end of every batch of the file (a row held back belongs to the batch being imported).
   */
  flush(): void;
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
 * 250k ids each (a member seen recently stays known), so memory stays bounded on any file. A bulk
 * load asks about the ids of many held rows at once (isKnown, lookUp) instead of one by one.
 */
export interface MemberCheck {
  /** Throws a RowReject for an unknown id without createMembers; true when `create` must follow. */
  check(id: string): boolean;
  create(id: string): void;
  /** Whether `id` is a member, from what is remembered only (no query): false may mean not known yet. */
  isKnown(id: string): boolean;
  /** Asks the store about many ids in one query; isKnown then answers for those that are members. */
  lookUp(ids: Iterable<string>): void;
  /** The reject reason for an id that is not a member (without createMembers). */
  unknownReason(id: string): string;
}

export function memberCheck(ctx: HandlerContext, memberSource: Source): MemberCheck {
  const exists = ctx.db.prepare("SELECT 1 FROM main.members WHERE id = ?").pluck();
  const existing = ctx.db.prepare("SELECT id FROM main.members WHERE id IN (SELECT value FROM json_each(?))").pluck();
  const unknownReason = (id: string): string =>
    `unknown member ${JSON.stringify(id)} (${memberSource.label}); import members first, or use --create-members`;
  const insert = ctx.db.prepare("INSERT INTO main.members (id) VALUES (?) ON CONFLICT (id) DO NOTHING");
  let known = new Set<string>();
  let older = new Set<string>();
  let last: string | undefined; // the last known id: rows of one member often follow each other
  const remember = (id: string): void => {
    if (known.size >= 250_000) {
      older = known;
      known = new Set();
    }
    known.add(id);
  };
  return {
    check(id) {
      if (id === last) return false;
      if (known.has(id)) {
        last = id;
        return false;
      }
      if (older.has(id) || exists.get(id) !== undefined) {
        remember(id);
        last = id;
        return false;
      }
      if (!ctx.createMembers) throw new RowReject("unknown-member", unknownReason(id));
      return true;
    },
    isKnown(id) {
      if (id === last) return true;
      if (known.has(id) || older.has(id)) {
        last = id;
        return true;
      }
      return false;
    },
    lookUp(ids) {
      for (const id of existing.all(JSON.stringify([...ids])) as string[]) remember(id);
    },
    unknownReason,
    create(id) {
      if (known.has(id)) return; // created for an earlier row held back with this one
      if (insert.run(id).changes === 1) ctx.counts.membersCreated++;
      remember(id);
    },
  };
}

/**
 * The members of held rows (their column `column`), looked up together: `unknown` holds the ids
 * that were not known before (to create, with createMembers, once their row is written), `skip`
 * the rows to reject instead (an unknown member, without createMembers).
 */
export function checkMembers(
  held: HeldRows<unknown>,
  column: number,
  members: MemberCheck,
  createMembers: boolean,
): { unknown: ReadonlySet<string>; skip: Set<number> | undefined } {
  const unknown = new Set<string>();
  let first = -1; // the first row whose member was not known
  for (let i = 0; i < held.size; i++) {
    const member = held.value(i, column) as string;
    if (members.isKnown(member)) continue;
    unknown.add(member);
    if (first < 0) first = i;
  }
  let skip: Set<number> | undefined;
  if (unknown.size > 0) {
    members.lookUp(unknown);
    if (!createMembers) {
      for (let i = first; i < held.size; i++) if (!members.isKnown(held.value(i, column) as string)) (skip ??= new Set()).add(i);
    }
  }
  return { unknown, skip };
}
