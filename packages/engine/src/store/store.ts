import Database from "better-sqlite3";
import { migrate } from "./migrate.js";

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite database and brings its schema up to date. WAL lets a
 * reader (a dry run, a report) work while an import or a run writes.
 */
export function openStore(path: string, options: { readonly readonly?: boolean; readonly mustExist?: boolean } = {}): Db {
  const db = new Database(path, {
    ...(options.readonly ? { readonly: true } : {}),
    ...(options.readonly || options.mustExist ? { fileMustExist: true } : {}),
  });
  if (!options.readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  }
  db.pragma("cache_size = -65536"); // 64 MB page cache: audience queries scan big indexes
  db.pragma("temp_store = MEMORY");
  if (!options.readonly) migrate(db);
  return db;
}
