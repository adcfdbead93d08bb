import type { Db } from "./store.js";

/** Rows read from each index to estimate its statistics: a few milliseconds whatever its size. */
const ANALYSIS_LIMIT = 1000;
/**
 * Smaller tables get no statistics. SQLite believes them: a table analyzed at 3 rows is then
 * scanned whole for every lookup while an import grows it to thousands (measured: a 45k-row
 * import went from 0.4 s to 88 s). Without statistics SQLite assumes a large table and uses its
 * indexes, which is right for a small one too.
 */
const MIN_ROWS = 10_000;

/**
 * Refreshes the query planner's statistics (sqlite_stat1) of tables that were just written in
 * bulk (an import, demo data): ANALYZE on a bounded sample of each index, or, for a table too
 * small to be worth it, the removal of any old statistics. `tables` are names from the schema,
 * never user input.
 */
export function refreshStatistics(db: Db, tables: readonly string[]): void {
  const limit = db.pragma("analysis_limit", { simple: true }) as number;
  db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
  try {
    let removed = false;
    for (const table of tables) {
      const rows = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM main."${table}" LIMIT ${MIN_ROWS})`).pluck().get() as number;
      if (rows >= MIN_ROWS) db.exec(`ANALYZE main."${table}"`);
      else if (hasStatistics(db)) removed = db.prepare("DELETE FROM main.sqlite_stat1 WHERE tbl = ?").run(table).changes > 0 || removed;
    }
    // Statistics changed by hand are read again on the next schema load; this is one.
    if (removed) db.exec("ANALYZE main.sqlite_schema");
  } finally {
    db.pragma(`analysis_limit = ${limit}`);
  }
}

function hasStatistics(db: Db): boolean {
  return db.prepare("SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'").get() !== undefined;
}
