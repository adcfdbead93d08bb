import type Database from "better-sqlite3";
import { MEMBER_DATA } from "./migrations/001-member-data.js";
import { STORE_TUNING } from "./migrations/002-store-tuning.js";
import { DELIVERY } from "./migrations/003-delivery.js";
import { REDEMPTIONS } from "./migrations/004-redemptions.js";
import { QUEUE_PER_CHANNEL } from "./migrations/005-queue-per-channel.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Versioned migrations, applied in order, each in its own transaction and recorded in
 * schema_migrations. A migration is never edited once released: changes are new migrations.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "member data", sql: MEMBER_DATA },
  { version: 2, name: "store tuning", sql: STORE_TUNING },
  { version: 3, name: "delivery", sql: DELIVERY },
  { version: 4, name: "coupon redemptions", sql: REDEMPTIONS },
  { version: 5, name: "queue per channel", sql: QUEUE_PER_CHANNEL },
];

export function migrate(db: Database.Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const newest = Math.max(0, ...applied);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (newest > known) {
    throw new Error(`the database was written by a newer Patron (schema version ${newest}; this one knows up to ${known}): upgrade Patron`);
  }
  const ran: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    const later = laterIndexes(db, migration, applied);
    db.transaction(() => {
      db.exec(migration.sql);
      for (const index of later) if (!indexExists(db, index.name)) db.exec(index.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    ran.push(migration.version);
  }
  return ran;
}

/**
 * The indexes that migrations newer than `migration`, already applied, created (a store written
 * by a Patron that had them before `migration` existed). `migration` may rebuild a table, which
 * drops its indexes; those are then created again as they were.
 */
function laterIndexes(db: Database.Database, migration: Migration, applied: ReadonlySet<number>): { name: string; sql: string }[] {
  const names = new Set<string>();
  for (const m of MIGRATIONS) {
    if (m.version <= migration.version || !applied.has(m.version)) continue;
    for (const match of m.sql.matchAll(/CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?/gi))
      names.add(match[1] as string);
  }
  if (names.size === 0) return [];
  const all = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as {
    name: string;
    sql: string;
  }[];
  return all.filter((index) => names.has(index.name));
}

function indexExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;
}
