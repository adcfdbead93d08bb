import type { Db } from "../store/store.js";

/*
 * Bulk loading. Keeping indexes up to date row by row is what makes an import slow, so when the
 * table an import writes is empty at the start (a first load, the case with millions of rows)
 * the importer:
 * - runs the whole import as ONE transaction, so a crash or an error leaves the table empty and
 *   the schema whole, exactly as before (and a re-run starts afresh);
 * - drops the table's plain secondary indexes inside that transaction and creates them again
 *   from their own stored SQL at the end (a sorted build is many times faster), and does the
 *   same for members when --create-members fills an empty members table. UNIQUE indexes stay:
 *   they are what finds a row repeating an earlier one. An index whose order the rows may come
 *   in (purchases by member, or by time) is kept as long as they do: each entry then goes at its
 *   end, which costs less than building it afterwards;
 * - gives each row its line in the file as rowid (the table was empty, so they are unique): a
 *   row repeating an earlier one names that line without a stage table (held-rows.ts);
 * - writes through a rollback journal instead of the WAL when no other connection has the
 *   store open: the new pages of one big transaction then go once, straight into the database
 *   file, where the WAL would write them twice (to the log, then by the checkpoint). New pages
 *   need no journal, so this costs nothing else; the store is back in WAL mode at the end;
 * - keeps SQLite's sorter on disk (temp_store = FILE) while it runs, so building an index over
 *   tens of millions of rows does not hold them in memory, and lets it sort on two threads, in
 *   runs small enough for the second thread to help;
 * - skips looking up stored rows for each row (there are none but this file's).
 * An import into a table that already has rows commits every batch and keeps the indexes: it is
 * usually a smaller, incremental file, and other readers keep their fast queries.
 */

/** KiB of index entries SQLite's sorter sorts at a time while the indexes are built again. */
const SORT_RUN_KIB = 8192;
/**
 * The page cache while loading: rows mostly go to the ends of the table and of the indexes kept,
 * so a small cache does about as well as a large one, and the process stays small (measured at a
 * million rows: 32 MB against 64 MB, the same time and 50 MB less memory).
 */
const LOAD_CACHE_KIB = 32768;

export interface Bulk {
  /**
   * Drops now an index that was kept (see beginBulk), to build it at the end instead: the rows
   * stopped coming in its order.
   */
  drop(index: string): void;
  /** Recreates the dropped indexes (inside the transaction). */
  rebuild(): void;
  commit(): void;
  rollback(): void;
}

export function isEmpty(db: Db, table: string): boolean {
  return db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM main.${table})`).pluck().get() === 1;
}

/** The tables' indexes that a bulk load drops and rebuilds: made by CREATE INDEX, not UNIQUE. */
function plainIndexes(db: Db, table: string): { name: string; sql: string }[] {
  const list = db.prepare(`SELECT name, "unique", origin FROM pragma_index_list(?, 'main') ORDER BY name`).all(table) as {
    name: string;
    unique: number;
    origin: string;
  }[];
  const sql = db.prepare("SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = ?").pluck();
  return list.filter((i) => i.origin === "c" && i.unique === 0).map((i) => ({ name: i.name, sql: sql.get(i.name) as string }));
}

/**
 * Starts a bulk load of `tables` (see above). Indexes named in `kept` are not dropped: the
 * handler expects the file's rows in their order, so that each row's entry goes at the end of
 * the index, which costs less than building it at the end (0.6–0.8 s for a million purchases even
 * in order); it calls drop() as soon as a row breaks the order.
 */
export function beginBulk(db: Db, tables: readonly string[], kept: readonly string[] = []): Bulk {
  const tempStore = db.pragma("temp_store", { simple: true }) as number;
  const threads = db.pragma("threads", { simple: true }) as number;
  const journal = String(db.pragma("main.journal_mode", { simple: true }));
  let switched = false;
  if (journal === "wal") {
    try {
      switched = db.pragma("main.journal_mode = DELETE", { simple: true }) === "delete";
    } catch {
      switched = false; // another connection has the store open: stay in WAL mode
    }
  }
  const cacheSize = db.pragma("cache_size", { simple: true }) as number;
  db.pragma("temp_store = FILE");
  db.pragma("threads = 2"); // the sorter may use a second core for the index builds
  db.pragma(`cache_size = ${-LOAD_CACHE_KIB}`);
  const restore = (): void => {
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`threads = ${threads}`);
    db.pragma(`cache_size = ${cacheSize}`);
    if (switched) db.pragma("main.journal_mode = WAL");
  };
  const indexes: { name: string; sql: string }[] = [];
  const keptIndexes = new Map<string, string>();
  const dropIndex = (index: { name: string; sql: string }): void => {
    db.exec(`DROP INDEX main."${index.name.replaceAll('"', '""')}"`);
    indexes.push(index);
  };
  try {
    db.exec("BEGIN IMMEDIATE");
    for (const table of tables) {
      for (const index of plainIndexes(db, table)) {
        if (kept.includes(index.name)) keptIndexes.set(index.name, index.sql);
        else dropIndex(index);
      }
    }
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    restore();
    throw error;
  }
  return {
    drop(name) {
      const sql = keptIndexes.get(name);
      if (sql === undefined) return;
      keptIndexes.delete(name);
      dropIndex({ name, sql });
    },
    rebuild() {
      // SQLite's sorter fills runs as large as the page cache before sorting them. Smaller runs
      // are sorted by the second thread while the first reads on, and the memory stays small.
      const cacheSize = db.pragma("cache_size", { simple: true }) as number;
      db.pragma(`cache_size = ${-SORT_RUN_KIB}`);
      try {
        for (const index of indexes) db.exec(index.sql);
      } finally {
        db.pragma(`cache_size = ${cacheSize}`);
      }
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
