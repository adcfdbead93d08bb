import type Database from "better-sqlite3";
import type { Db } from "../store/store.js";

export type SqlValue = string | number | null;

/** Rows per INSERT: binding is most of the cost of a row, and one call into SQLite carries many. */
const ROWS_PER_STATEMENT = 128;

/**
 * Rows of a bulk load held back to be written by one multi-row `INSERT OR IGNORE`, each with its
 * file line as rowid (the table was empty, so lines are unique rowids). A row the table's UNIQUE
 * constraint ignored repeats a key written before; `write` says which lines were written, and
 * the handler deals with the others one by one. OR IGNORE, rather than a failing INSERT rolled
 * back and retried, because a statement that cannot fail needs no statement journal.
 */
export class HeldRows<T> {
  /** The held rows' values, `columns.length + 1` per row, the line (rowid) first. */
  readonly values: SqlValue[] = [];
  readonly lines: number[] = [];
  /** What the handler keeps beside each held row. */
  readonly extras: T[] = [];
  private readonly statements = new Map<number, Database.Statement>();
  private readonly present: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    /** `(rowid, column, …)`: the columns after the rowid, in the order values are held. */
    private readonly columns: readonly string[],
  ) {
    this.present = db.prepare(`SELECT rowid FROM main.${table} WHERE rowid BETWEEN ? AND ?`).pluck();
  }

  /** Holds a row: push its values (columns order, without the line) onto the returned array. */
  row(line: number, extra: T): SqlValue[] {
    this.lines.push(line);
    this.extras.push(extra);
    this.values.push(line);
    return this.values;
  }

  get size(): number {
    return this.lines.length;
  }

  get full(): boolean {
    return this.lines.length >= ROWS_PER_STATEMENT;
  }

  /** The held row i's value of column c (0 is the first column after the line). */
  value(i: number, c: number): SqlValue {
    return this.values[i * (this.columns.length + 1) + 1 + c] as SqlValue;
  }

  /**
   * Writes the held rows but those `skip` names; returns how many were written and whether a
   * line was. Keeps the rows: see clear().
   */
  write(skip?: ReadonlySet<number>): { readonly count: number; readonly has: (line: number) => boolean } {
    let values = this.values;
    let n = this.lines.length;
    if (skip !== undefined && skip.size > 0) {
      const width = this.columns.length + 1;
      values = [];
      for (let i = 0; i < this.lines.length; i++)
        if (!skip.has(i)) for (let k = 0; k < width; k++) values.push(this.values[i * width + k] as SqlValue);
      n -= skip.size;
    }
    if (n === 0) return { count: 0, has: () => false };
    const count = this.statement(n).run(...values).changes; // spread: read as arguments, faster than array elements
    if (count === n && (skip === undefined || skip.size === 0)) return { count, has: () => true };
    // Lines only grow, and rows from earlier statements have smaller lines.
    const written = new Set(this.present.all(this.lines[0], this.lines[this.lines.length - 1]) as number[]);
    return { count, has: (line) => written.has(line) };
  }

  clear(): void {
    this.values.length = 0;
    this.lines.length = 0;
    this.extras.length = 0;
  }

  private statement(rows: number): Database.Statement {
    let statement = this.statements.get(rows);
    if (statement === undefined) {
      const one = `(${["?", ...this.columns.map(() => "?")].join(", ")})`;
      statement = this.db.prepare(
        `INSERT OR IGNORE INTO main.${this.table} (rowid, ${this.columns.join(", ")}) VALUES ${Array.from({ length: rows }, () => one).join(", ")}`,
      );
      this.statements.set(rows, statement);
    }
    return statement;
  }
}
