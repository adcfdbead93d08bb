import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/store/migrate.js";
import { MEMBER_DATA } from "../src/store/migrations/001-member-data.js";
import { refreshStatistics } from "../src/store/statistics.js";
import { openStore, PAGE_SIZE, type Db } from "../src/store/store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-store-test-"));
  dirs.push(dir);
  return join(dir, "patron.db");
}

/** A database as Patron left it at schema version 1, with `fill` run on it. */
function versionOne(fill: (db: Database.Database) => void): string {
  const path = tempPath();
  const db = new Database(path);
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  db.exec(MEMBER_DATA);
  db.prepare("INSERT INTO schema_migrations VALUES (1, 'member data', '2026-01-01T00:00:00.000Z')").run();
  fill(db);
  db.close();
  return path;
}

const rows = (db: Db, sql: string): unknown[] => db.prepare(sql).all();
const indexes = (db: Db, table: string): unknown[] =>
  db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name").all(table);

describe("the store's migrations", () => {
  it("are numbered in order, and a new store has them all", () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions.slice(0, 2)).toEqual([1, 2]);
    const db = openStore(":memory:");
    expect(db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all()).toEqual(versions);
    db.close();
  });

  it("002 keeps the member data of a version 1 store, drops members without an id and keeps equal lots once", () => {
    const path = versionOne((db) => {
      db.exec(`
        INSERT INTO members (id, name, tier) VALUES ('m1', 'Ann', 'Gold'), (NULL, 'nobody', NULL), ('m2', 'Bo', NULL);
        INSERT INTO purchases VALUES ('o1', 's1', 'm1', 1000, 'Olay', 'skincare', 2, 19.9), ('o1', 's2', 'm1', 1000, NULL, NULL, -1, -5);
        INSERT INTO point_lots VALUES ('m1', 100, 10, NULL, 'import'), ('m1', 100, 10, NULL, 'import'), ('m1', 100, 10, 20, 'import'),
          ('m2', 5, 10, NULL, 'import');
      `);
    });
    const db = openStore(path);
    expect(rows(db, "SELECT rowid, id, name, tier FROM members ORDER BY rowid")).toEqual([
      { rowid: 1, id: "m1", name: "Ann", tier: "Gold" },
      { rowid: 3, id: "m2", name: "Bo", tier: null },
    ]);
    expect(rows(db, "SELECT * FROM purchases ORDER BY order_id, sku")).toEqual([
      { order_id: "o1", sku: "s1", member_id: "m1", purchased_at: 1000, brand: "Olay", category: "skincare", quantity: 2, amount: 19.9 },
      { order_id: "o1", sku: "s2", member_id: "m1", purchased_at: 1000, brand: null, category: null, quantity: -1, amount: -5 },
    ]);
    expect(rows(db, "SELECT rowid, member_id, points, earned_at, expires_at FROM point_lots ORDER BY rowid")).toEqual([
      { rowid: 1, member_id: "m1", points: 100, earned_at: 10, expires_at: null },
      { rowid: 3, member_id: "m1", points: 100, earned_at: 10, expires_at: 20 },
      { rowid: 4, member_id: "m2", points: 5, earned_at: 10, expires_at: null },
    ]);
    expect(indexes(db, "purchases")).toEqual([
      { name: "purchases_member_time", sql: "CREATE INDEX purchases_member_time ON purchases (member_id, purchased_at, quantity, amount)" },
      { name: "purchases_time", sql: "CREATE INDEX purchases_time ON purchases (purchased_at, brand, category, sku)" },
      { name: "sqlite_autoindex_purchases_1", sql: null },
    ]);
    // (later migrations may add more)
    expect(indexes(db, "members").map((i) => (i as { name: string }).name)).toEqual(
      expect.arrayContaining(["members_birth_md", "members_referred_by", "members_timezone", "sqlite_autoindex_members_1"]),
    );
    db.close();
  });

  it("002 applied after later migrations keeps the indexes they made on the tables it rebuilds", () => {
    const later = MIGRATIONS.filter((m) => m.version > 2);
    const path = versionOne((db) => {
      for (const m of later) {
        db.exec(m.sql);
        db.prepare("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000Z')").run(m.version, m.name);
      }
    });
    const before = new Database(path);
    const expected = before
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT IN ('purchases', 'point_lots') ORDER BY name",
      )
      .all();
    before.close();
    const db = openStore(path);
    const after = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT IN ('purchases', 'point_lots') ORDER BY name",
      )
      .all();
    expect(after).toEqual(expected);
    expect(db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it("005 moves the queued messages of a version 4 store into one queue index per channel", () => {
    const path = tempPath();
    const old = new Database(path);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      old.exec(m.sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000Z')").run(m.version, m.name);
    }
    old
      .prepare("INSERT INTO runs (id, campaign, slot, as_of, file, state, started_at) VALUES (1, 'c', 0, 0, 'c.campaign', 'planned', 0)")
      .run();
    const add = old.prepare("INSERT INTO outbox (run_id, member_id, decision, channel, state, not_before) VALUES (1, ?, ?, ?, ?, 0)");
    add.run("m1", "send", "sms", "queued");
    add.run("m2", "send", "sms", "sent");
    add.run("m3", "send", "email", "queued");
    add.run("m4", "send", "wechat", "queued");
    add.run("m5", "no-consent", null, "suppressed");
    old.close();

    const db = openStore(path);
    const names = (indexes(db, "outbox") as { name: string }[]).map((i) => i.name);
    expect(names).not.toContain("outbox_queue");
    const queued = (channel: string): unknown[] =>
      db
        .prepare(`SELECT member_id FROM outbox INDEXED BY outbox_queue_${channel} WHERE state = 'queued' AND channel = '${channel}'`)
        .pluck()
        .all();
    expect([queued("sms"), queued("email"), queued("wechat")]).toEqual([["m1"], ["m3"], ["m4"]]);
    db.close();
  });

  it("002 makes a member id required and a lot that never expires one lot", () => {
    const db = openStore(":memory:");
    expect(() => db.prepare("INSERT INTO members (id) VALUES (NULL)").run()).toThrow(/NOT NULL constraint failed: members.id/);
    const lot = db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at) VALUES ('m1', 100, 10, ?)");
    lot.run(null);
    expect(() => lot.run(null)).toThrow(/UNIQUE constraint failed/);
    lot.run(20);
    expect(() => lot.run(20)).toThrow(/UNIQUE constraint failed/);
    // A lot from another source, or of other points, is another lot.
    db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at, source) VALUES ('m1', 100, 10, NULL, 'award')").run();
    db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at) VALUES ('m1', 101, 10, NULL)").run();
    expect(db.prepare("SELECT count(*) FROM point_lots").pluck().get()).toBe(4);
    db.close();
  });

  it("002 keeps purchases unique per order line", () => {
    const db = openStore(":memory:");
    const line = db.prepare("INSERT INTO purchases VALUES ('o1', 's1', 'm1', 1000, NULL, NULL, 1, 10)");
    line.run();
    expect(() => line.run()).toThrow(/UNIQUE constraint failed: purchases.order_id, purchases.sku/);
    db.close();
  });
});

describe("a store's pages", () => {
  const pageSize = (db: Db): unknown => db.pragma("page_size", { simple: true });

  it("are 16 KiB in a new store, also once reopened", () => {
    const path = tempPath();
    const db = openStore(path);
    expect(pageSize(db)).toBe(PAGE_SIZE);
    expect(PAGE_SIZE).toBe(16384);
    db.close();
    const again = openStore(path);
    expect([pageSize(again), again.pragma("journal_mode", { simple: true })]).toEqual([PAGE_SIZE, "wal"]);
    again.close();
  });

  it("stay as they are in a store made with another size, which opens and migrates as before", () => {
    const path = versionOne((db) => db.prepare("INSERT INTO members (id, name) VALUES ('m1', 'Ann')").run());
    const db = openStore(path);
    expect(pageSize(db)).toBe(4096);
    expect(rows(db, "SELECT id, name FROM members")).toEqual([{ id: "m1", name: "Ann" }]);
    expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(MIGRATIONS.length);
    db.close();
  });
});

describe("refreshStatistics", () => {
  it("analyzes tables big enough to be worth it, and removes the statistics of small ones", () => {
    const db = openStore(tempPath());
    const insert = db.prepare("INSERT INTO purchases VALUES (?, 's', 'm1', ?, NULL, NULL, 1, 10)");
    db.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(`o${i}`, i);
    })();
    db.prepare("INSERT INTO members (id) VALUES ('m1')").run();
    refreshStatistics(db, ["purchases", "members"]);
    const stats = (): unknown[] => db.prepare("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx").all();
    expect(stats()).toEqual([
      { tbl: "purchases", idx: "purchases_member_time", stat: expect.stringMatching(/^10000 /) as unknown },
      { tbl: "purchases", idx: "purchases_time", stat: expect.stringMatching(/^10000 /) as unknown },
      { tbl: "purchases", idx: "sqlite_autoindex_purchases_1", stat: "10000 1 1" },
    ]);

    // A small table keeps no statistics: SQLite would believe them while the table grows again,
    // and scan it whole for every lookup.
    db.exec("DELETE FROM purchases WHERE rowid > 1; ANALYZE purchases");
    const lookup = (): string[] =>
      db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT k.o, p.member_id FROM (SELECT ? AS o) AS k LEFT JOIN purchases AS p ON p.order_id = ? AND p.sku = ?",
        )
        .all("o1", "o1", "s")
        .map((r) => (r as { detail: string }).detail);
    expect(lookup()).toContain("SCAN p LEFT-JOIN");
    refreshStatistics(db, ["purchases"]);
    expect(stats()).toEqual([]);
    expect(lookup()).toContain("SEARCH p USING INDEX sqlite_autoindex_purchases_1 (order_id=? AND sku=?) LEFT-JOIN"); // as the stage asks
    db.close();
  });
});
