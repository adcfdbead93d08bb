import type Database from "better-sqlite3";
import { refreshStatistics } from "../store/statistics.js";
import type { Db } from "../store/store.js";
import { monthDay } from "../time/local-dates.js";
import { DemoGenerator } from "./generator.js";
import type { DemoMember, DemoOptions, DemoSink, DemoSummary } from "./types.js";

const TABLES = ["members", "purchases", "point_lots"] as const;
const PROGRESS_EVERY = 10_000;

export interface GenerateDemoOptions extends DemoOptions {
  /** Delete the member data already in the store first; without it, a store holding data is refused. */
  readonly replace?: boolean;
}

/**
 * Fills the store with demo data: members, purchases (with returns) and point lots.
 *
 * Fast bulk loading, and why it is safe:
 * - All of it is one transaction: an interrupted run leaves the store as it was, indexes and all.
 *   (A store opened by another process at the same time waits or gets SQLITE_BUSY meanwhile.)
 * - The secondary indexes of the three tables are dropped first and created again at the end
 *   (from their own definitions in sqlite_master): building an index from sorted data is several
 *   times faster than updating five indexes at random places for every row.
 * - Rows go in as multi-row INSERTs from prepared statements, so a call into SQLite carries many
 *   rows; order numbers grow with member numbers, so the purchases' primary key is appended to.
 */
export function generateDemoData(db: Db, options: GenerateDemoOptions): DemoSummary {
  const generator = new DemoGenerator(options);
  const total = generator.memberCount;
  const existing = db.prepare("SELECT count(*) FROM members").pluck().get() as number;
  const existingPurchases = db.prepare("SELECT count(*) FROM purchases").pluck().get() as number;
  if ((existing > 0 || existingPurchases > 0) && !options.replace) throw new StoreNotEmptyError(existing, existingPurchases);

  const load = db.transaction((): DemoSummary => {
    if (options.replace) for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
    const indexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => "?").join(", ")}) ORDER BY name`,
      )
      .all(...TABLES) as { name: string; sql: string }[];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);

    const sink = new StoreSink(db);
    for (let i = 0; i < total; i++) {
      generator.generate(i, sink);
      if ((i + 1) % PROGRESS_EVERY === 0) options.onProgress?.({ phase: "members", done: i + 1, total });
    }
    sink.flush();
    options.onProgress?.({ phase: "members", done: total, total });

    indexes.forEach((index, i) => {
      options.onProgress?.({ phase: "indexes", done: i, total: indexes.length });
      db.exec(index.sql);
    });
    options.onProgress?.({ phase: "indexes", done: indexes.length, total: indexes.length });
    return sink.summary();
  });
  // Rollback journal while loading: new pages of one big transaction are written once, straight
  // into the database file, instead of into the WAL and then again by the checkpoint. Only
  // possible while no other connection has the store open; otherwise the load stays in WAL mode.
  const journal = String(db.pragma("journal_mode", { simple: true }));
  let switched = false;
  if (journal === "wal") {
    try {
      switched = db.pragma("journal_mode = DELETE", { simple: true }) === "delete";
    } catch {
      switched = false; // another connection holds the store: keep WAL
    }
  }
  // Index builds sort in temporary storage: in files (the OS page cache) rather than in this
  // process's memory, which would otherwise grow by about 1 GB at a million members.
  const tempStore = Number(db.pragma("temp_store", { simple: true }));
  db.pragma("temp_store = FILE");
  try {
    const summary = load();
    refreshStatistics(db, TABLES); // the query planner's view of the new data (sqlite_stat1)
    return summary;
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
    if (switched) db.pragma("journal_mode = WAL");
  }
}

/** generateDemoData was given a store that holds member data, without `replace`. */
export class StoreNotEmptyError extends Error {
  override readonly name = "StoreNotEmptyError";
  constructor(
    readonly members: number,
    readonly purchases: number,
  ) {
    super(`the store already holds member data (${members} members, ${purchases} purchases): demo data goes into an empty store`);
  }
}

/** Inserts many rows per statement: `rows` rows of `columns` values each. */
class BatchInsert {
  private readonly values: unknown[] = [];
  private readonly full: Database.Statement;
  private readonly size: number;
  count = 0;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: readonly string[],
    rows: number,
  ) {
    this.size = rows * columns.length;
    this.full = db.prepare(this.sql(rows));
  }

  /** Call after pushing one row's values onto `row`. */
  get row(): unknown[] {
    return this.values;
  }

  rowDone(): void {
    this.count++;
    if (this.values.length >= this.size) {
      this.full.run(this.values);
      this.values.length = 0;
    }
  }

  flush(): void {
    if (this.values.length === 0) return;
    this.db.prepare(this.sql(this.values.length / this.columns.length)).run(this.values);
    this.values.length = 0;
  }

  private sql(rows: number): string {
    const one = `(${this.columns.map(() => "?").join(", ")})`;
    return `INSERT INTO ${this.table} (${this.columns.join(", ")}) VALUES ${Array.from({ length: rows }, () => one).join(", ")}`;
  }
}

class StoreSink implements DemoSink {
  private readonly members: BatchInsert;
  private readonly purchases: BatchInsert;
  private readonly lots: BatchInsert;
  private referrals = 0;

  constructor(db: Db) {
    this.members = new BatchInsert(
      db,
      "members",
      [
        "id", "name", "phone", "email", "wechat_openid", "tier", "points", "city", "gender", "birthday", "birth_md", "joined_at",
        "timezone", "consent_sms", "consent_email", "consent_wechat", "referred_by", "attributes",
      ], // prettier-ignore
      50,
    );
    this.purchases = new BatchInsert(
      db,
      "purchases",
      ["order_id", "sku", "member_id", "purchased_at", "brand", "category", "quantity", "amount"],
      100,
    );
    this.lots = new BatchInsert(db, "point_lots", ["member_id", "points", "earned_at", "expires_at", "source"], 100);
  }

  member(m: DemoMember): void {
    this.members.row.push(
      m.id,
      m.name,
      m.phone,
      m.email,
      m.wechatOpenid,
      m.tier,
      m.points,
      m.city,
      m.gender,
      m.birthday,
      m.birthday === null ? null : monthDay(m.birthday),
      m.joinedAt,
      m.timezone,
      m.consentSms ? 1 : 0,
      m.consentEmail ? 1 : 0,
      m.consentWechat ? 1 : 0,
      m.referredBy,
      JSON.stringify(m.attributes),
    );
    this.members.rowDone();
    if (m.referredBy !== null) this.referrals++;
  }

  purchase(
    memberId: string,
    purchasedAt: number,
    orderId: string,
    sku: string,
    brand: string,
    category: string,
    quantity: number,
    amount: number,
  ): void {
    this.purchases.row.push(orderId, sku, memberId, purchasedAt, brand, category, quantity, amount);
    this.purchases.rowDone();
  }

  pointLot(memberId: string, points: number, earnedAt: number, expiresAt: number, source: string): void {
    this.lots.row.push(memberId, points, earnedAt, expiresAt, source);
    this.lots.rowDone();
  }

  flush(): void {
    this.members.flush();
    this.purchases.flush();
    this.lots.flush();
  }

  summary(): DemoSummary {
    return { members: this.members.count, purchases: this.purchases.count, pointLots: this.lots.count, referrals: this.referrals };
  }
}
