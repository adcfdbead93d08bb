import { resolve } from "node:path";
import type { PatronConfig } from "@patron/config";
import { openStore, parseAsOf, type Db } from "@patron/engine";
import { UsageError } from "./files.js";

/** The options every command that reads member data takes (product.md, "The command line"). */
export interface DataOptions {
  /** SQLite file; default patron.yaml's `database`, else patron.db. */
  readonly db?: string;
  /** ISO 8601 instant the command acts at; default now. */
  readonly asOf?: string;
}

export interface DataContext {
  readonly db: Db;
  readonly dbPath: string;
  readonly asOf: number;
  readonly zone: string;
}

export function openData(config: PatronConfig, options: DataOptions, cwd: string, mode: { readonly mustExist: boolean }): DataContext {
  const dbPath = options.db ? resolve(cwd, options.db) : config.database;
  let asOf = Date.now();
  if (options.asOf !== undefined) {
    const parsed = parseAsOf(options.asOf, config.timezone);
    if ("error" in parsed) throw new UsageError(parsed.error);
    asOf = parsed.at;
  }
  let db: Db;
  try {
    db = openStore(dbPath, mode.mustExist ? { mustExist: true } : {});
  } catch (error) {
    throw new UsageError(
      mode.mustExist
        ? `no member data at ${dbPath}: import some first (patron import members FILE.csv) or generate demo data (patron demo-data)`
        : `cannot open the database ${dbPath}: ${(error as Error).message}`,
    );
  }
  return { db, dbPath, asOf, zone: config.timezone };
}
