import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../store/store.js";

/*
 * The stage: a scratch database attached for one import into a table that already has rows, in
 * the system's temp folder, holding what the import has seen so far (member ids, order lines,
 * point lots, with their lines and, for order lines, the values stored before the import). It is
 * what lets the importer spot a row that repeats an earlier row of the same file, and count
 * inserted / updated / unchanged exactly, without holding the file's keys in memory: a 10M-row
 * file's keys live on disk here. It is a separate file (not a TEMP table, which openStore keeps
 * in memory) with no journal, dropped at the end. A bulk load into an empty table needs none: the
 * table's own unique keys and rowids (the file's lines) tell the same (bulk.ts).
 */
export const STAGE = "import_stage";

export interface Stage {
  close(): void;
}

export function attachStage(db: Db, tables: string): Stage {
  const path = join(tmpdir(), `patron-import-${process.pid}-${randomBytes(6).toString("hex")}.db`);
  db.prepare(`ATTACH DATABASE ? AS ${STAGE}`).run(path);
  try {
    db.pragma(`${STAGE}.journal_mode = OFF`);
    db.pragma(`${STAGE}.synchronous = OFF`);
    // 16 MB: as fast as 64 MB on a re-import of a million purchases, and the process 90 MB smaller.
    db.pragma(`${STAGE}.cache_size = -16384`);
    db.exec(tables);
  } catch (error) {
    db.exec(`DETACH DATABASE ${STAGE}`);
    rmSync(path, { force: true });
    throw error;
  }
  return {
    close() {
      db.exec(`DETACH DATABASE ${STAGE}`);
      rmSync(path, { force: true });
    },
  };
}
