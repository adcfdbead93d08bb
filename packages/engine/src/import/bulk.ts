import type { Db } from "../store/store.js";

/*
 * Bulk loading. Keeping five indexes up to date row by row is what makes an import slow (a
 * purchases row touches six b-trees), so when the table an import writes is empty at the start
 * (a first load, the case with millions of rows) the importer:
 * - runs the whole import as ONE transaction, so a crash or an error leaves the table empty and
 *   the schema whole, exactly as before (and a re-run starts afresh);
 * - drops the table's secondary indexes inside that transaction and creates them again from
 *   their own stored SQL at the end (a sorted build is many times faster), and does the same for
 *   members when --create-members fills an empty members table;
 * - keeps SQLite's sorter on disk (temp_store = FILE) while it runs, so building an index over
 *   tens of millions of rows does not hold them in memory, and lets it sort on two threads;
 * - skips looking up stored rows for each row (there are none but this file's).
 * An import into a table that already has rows commits every batch and keeps the indexes: it is
 * usually a smaller, incremental file, and other readers keep their fast queries.
 */
export interface Bulk {
  /** Recreates the dropped indexes (inside the transaction). */
  rebuild(): void;
  commit(): void;
  rollback(): void;
}

export function isEmpty(db: Db, table: string): boolean {
  return db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM main.${table})`).pluck().get() === 1;
}

export function beginBulk(db: Db, tables: readonly string[]): Bulk {
  const tempStore = db.pragma("temp_store", { simple: true }) as number;
  const threads = db.pragma("threads", { simple: true }) as number;
  db.pragma("temp_store = FILE");
  db.pragma("threads = 2"); // the sorter may use a second core for the index builds
  db.exec("BEGIN IMMEDIATE");
  const indexes: { name: string; sql: string }[] = [];
  try {
    for (const table of tables) {
      const own = db
        .prepare("SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
        .all(table) as { name: string; sql: string }[];
      for (const index of own) db.exec(`DROP INDEX main."${index.name.replaceAll('"', '""')}"`);
      indexes.push(...own);
    }
  } catch (error) {
    db.exec("ROLLBACK");
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`threads = ${threads}`);
    throw error;
  }
  const restore = (): void => {
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`threads = ${threads}`);
  };
  return {
    rebuild() {
      for (const index of indexes) db.exec(index.sql);
    },
    commit() {
      db.exec("COMMIT");
      restore();
    },
    rollback() {
      if (db.inTransaction) db.exec("ROLLBACK");
      restore();
    },
  };
}
