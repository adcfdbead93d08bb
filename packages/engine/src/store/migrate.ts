import type Database from "better-sqlite3";
import { MEMBER_DATA } from "./migrations/001-member-data.js";
import { DELIVERY } from "./migrations/003-delivery.js";
import { REDEMPTIONS } from "./migrations/004-redemptions.js";

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
  { version: 3, name: "delivery", sql: DELIVERY },
  { version: 4, name: "coupon redemptions", sql: REDEMPTIONS },
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
    db.transaction(() => {
      db.exec(migration.sql);
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
