import type Database from "better-sqlite3";
import type { Db } from "../store/store.js";
import type { SqlValue } from "./rows.js";

export type { SqlValue } from "./rows.js";

/** Rows per INSERT: binding is most of the cost of a row, and one call into SQLite carries many. */
const ROWS_PER_STATEMENT = 128;
/**
 * Rows held before they are written (fewer at the end of a batch of the file): the members of
 * many rows are then looked up with one query. Inside a bulk load's transaction a
 * query costs tens of µs, as the load keeps pushing the members index out of the page cache.
 */
export const HELD_ROWS = 8192;

/** What HeldRows.write wrote: `all` the rows it was to write, or those `has` says. */
export interface Written {
  readonly count: number;
  readonly all: boolean;
  has(line: number): boolean;
}

/**
 * Rows of a bulk load held back to be written by multi-row `INSERT OR IGNORE`s, each with its
 * file line as rowid (the table was empty, so lines are unique rowids). A row the table's UNIQUE
 * constraint ignored repeats a key written before; `write` says which lines were written, and
 * the handler deals with the others one by one. OR IGNORE, rather than a failing INSERT rolled
 * back and retried, because a statement that cannot fail needs no statement journal.
 */
export class HeldRows<T> {
  /**
   * The held rows' values, `columns.length + 1` per row, the line (rowid) first. The arrays are
   * filled from the start again after each write, never emptied: emptied, V8 gives their storage
   * back, and growing it again to thousands of rows per write made work for the collector.
   */
  private readonly values: SqlValue[] = [];
  private readonly lines: number[] = [];
  private readonly extras: T[] = [];
  private rows = 0;
  private end = 0;
  /** The arguments of a full statement, filled again for each. */
  private readonly args: SqlValue[];
  private readonly statements = new Map<number, Database.Statement>();
  private readonly present: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    /** `(rowid, column, …)`: the columns after the rowid, in the order values are held. */
    private readonly columns: readonly string[],
  ) {
    this.present = db.prepare(`SELECT rowid FROM main.${table} WHERE rowid BETWEEN ? AND ?`).pluck();
    this.args = new Array<SqlValue>(ROWS_PER_STATEMENT * (columns.length + 1)).fill(null);
  }

  /** Holds a row: then put() its values, in columns order (without the line). */
  row(line: number, extra: T): void {
    this.lines[this.rows] = line;
    this.extras[this.rows] = extra;
    this.rows++;
    this.values[this.end++] = line;
  }

  put(value: SqlValue): void {
    this.values[this.end++] = value;
  }

  get size(): number {
    return this.rows;
  }

  get full(): boolean {
    return this.rows >= HELD_ROWS;
  }

  /** The held row i's line. */
  line(i: number): number {
    return this.lines[i] as number;
  }

  /** What the handler keeps beside the held row i. */
  extra(i: number): T {
    return this.extras[i] as T;
  }

  /** The held row i's value of column c (0 is the first column after the line). */
  value(i: number, c: number): SqlValue {
    return this.values[i * (this.columns.length + 1) + 1 + c] as SqlValue;
  }

  /**
   * Writes the held rows but those `skip` names (by index); returns how many were written and
   * whether a line was. Keeps the rows: see clear().
   */
  write(skip?: ReadonlySet<number>): Written {
    const width = this.columns.length + 1;
    const size = this.rows;
    let count = 0;
    let ignored: Set<number> | undefined; // lines not written (but those skipped)
    for (let from = 0; from < size; from += ROWS_PER_STATEMENT) {
      const to = Math.min(size, from + ROWS_PER_STATEMENT);
      let skipped = 0;
      if (skip !== undefined && skip.size > 0) for (let i = from; i < to; i++) if (skip.has(i)) skipped++;
      const n = to - from - skipped;
      if (n === 0) continue;
      let args = this.args;
      if (n < ROWS_PER_STATEMENT) args = [];
      let k = 0;
      for (let i = from; i < to; i++) {
        if (skipped > 0 && skip?.has(i)) continue;
        for (let j = i * width, e = j + width; j < e; j++) args[k++] = this.values[j] as SqlValue;
      }
      const changes = this.statement(n).run(...args).changes; // spread: read as arguments, faster than array elements
      count += changes;
      if (changes === n) continue;
      // Lines only grow, and rows from earlier statements have smaller lines.
      const written = new Set(this.present.all(this.lines[from], this.lines[to - 1]) as number[]);
      for (let i = from; i < to; i++) {
        const line = this.lines[i] as number;
        if (!written.has(line) && !skip?.has(i)) (ignored ??= new Set()).add(line);
      }
    }
    return ignored === undefined ? { count, all: true, has: () => true } : { count, all: false, has: (line) => !ignored.has(line) };
  }

  clear(): void {
    this.rows = 0;
    this.end = 0;
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
