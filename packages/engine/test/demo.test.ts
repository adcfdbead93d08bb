import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_BUSINESS, generateDemoData, writeDemoCsv, type DemoSummary } from "../src/demo/index.js";
import { importCsv } from "../src/import/index.js";
import { openStore, type Db } from "../src/store/store.js";

const AS_OF = Date.parse("2026-12-15T02:00:00Z"); // 10:00 in Shanghai
const DAY = 86_400_000;
const MEMBERS = 2_000;

function tableHash(db: Db): string {
  const hash = createHash("sha256");
  for (const sql of [
    "SELECT * FROM members ORDER BY id",
    "SELECT * FROM purchases ORDER BY order_id, sku",
    "SELECT * FROM point_lots ORDER BY member_id, earned_at, source, points",
  ]) {
    for (const row of db.prepare(sql).raw().iterate()) hash.update(JSON.stringify(row) + "\n");
  }
  return hash.digest("hex");
}

function generated(seed: number, members = MEMBERS): { db: Db; summary: DemoSummary } {
  const db = openStore(":memory:");
  return { db, summary: generateDemoData(db, { members, seed, asOf: AS_OF }) };
}

describe("demo data", () => {
  let db: Db;
  let summary: DemoSummary;
  const count = (sql: string, ...params: unknown[]): number =>
    db
      .prepare(sql)
      .pluck()
      .get(...params) as number;

  beforeAll(() => {
    ({ db, summary } = generated(7));
  });
  afterAll(() => db.close());

  it("is the same, byte for byte, for the same seed and asOf, and different for another seed", () => {
    const again = generated(7);
    const other = generated(8);
    expect(tableHash(again.db)).toBe(tableHash(db));
    expect(again.summary).toEqual(summary);
    expect(tableHash(other.db)).not.toBe(tableHash(db));
    again.db.close();
    other.db.close();
  });

  it("reports what it wrote", () => {
    expect(summary.members).toBe(MEMBERS);
    expect(count("SELECT count(*) FROM members")).toBe(summary.members);
    expect(count("SELECT count(*) FROM purchases")).toBe(summary.purchases);
    expect(count("SELECT count(*) FROM point_lots")).toBe(summary.pointLots);
    expect(count("SELECT count(*) FROM members WHERE referred_by IS NOT NULL")).toBe(summary.referrals);
    // about ten purchase rows a member, as at a million members / ten million purchases
    expect(summary.purchases / summary.members).toBeGreaterThan(7);
    expect(summary.purchases / summary.members).toBeLessThan(14);
  });

  it("has many more silver than gold, than platinum, than diamond members", () => {
    const tiers = Object.fromEntries(
      (db.prepare("SELECT tier, count(*) AS n FROM members GROUP BY tier").all() as { tier: string | null; n: number }[]).map((r) => [
        r.tier,
        r.n,
      ]),
    );
    expect(tiers["silver"]).toBeGreaterThan(2 * tiers["gold"]);
    expect(tiers["gold"]).toBeGreaterThan(tiers["platinum"]);
    expect(tiers["platinum"]).toBeGreaterThan(tiers["diamond"]);
    expect(tiers["diamond"]).toBeGreaterThan(0);
  });

  it("stamps nothing after asOf, and no purchase before the member joined", () => {
    expect(count("SELECT count(*) FROM members WHERE joined_at > ? OR joined_at IS NULL", AS_OF)).toBe(0);
    expect(count("SELECT count(*) FROM purchases WHERE purchased_at > ?", AS_OF)).toBe(0);
    expect(count("SELECT count(*) FROM point_lots WHERE earned_at > ?", AS_OF)).toBe(0);
    expect(count("SELECT count(*) FROM purchases p JOIN members m ON m.id = p.member_id WHERE p.purchased_at < m.joined_at")).toBe(0);
    expect(count("SELECT count(*) FROM purchases WHERE purchased_at <= ?", AS_OF - 731 * DAY)).toBe(0);
    expect(count("SELECT count(*) FROM purchases p LEFT JOIN members m ON m.id = p.member_id WHERE m.id IS NULL")).toBe(0);
  });

  it("has referrals to existing members who joined earlier, about 5 % of members", () => {
    expect(summary.referrals).toBeGreaterThan(MEMBERS * 0.03);
    expect(summary.referrals).toBeLessThan(MEMBERS * 0.07);
    const bad = count(
      `SELECT count(*) FROM members r LEFT JOIN members m ON m.id = r.referred_by
       WHERE r.referred_by IS NOT NULL AND (m.id IS NULL OR m.joined_at >= r.joined_at)`,
    );
    expect(bad).toBe(0);
    // some members brought in several friends
    expect(
      count("SELECT max(n) FROM (SELECT count(*) AS n FROM members WHERE referred_by IS NOT NULL GROUP BY referred_by)"),
    ).toBeGreaterThan(2);
  });

  it("has heavy-tailed purchase counts: many small buyers, a few very big ones", () => {
    const orders = db
      .prepare(
        `SELECT (SELECT count(DISTINCT order_id) FROM purchases p WHERE p.member_id = m.id AND p.quantity > 0) FROM members m ORDER BY 1`,
      )
      .pluck()
      .all() as number[];
    const median = orders[Math.floor(orders.length / 2)] ?? 0;
    const max = orders[orders.length - 1] ?? 0;
    expect(orders.filter((n) => n === 0).length).toBeGreaterThan(MEMBERS * 0.05);
    expect(max).toBeGreaterThan(10 * Math.max(1, median));
  });

  it("sells the chain's brands and categories, with about 3 % returns as negative rows", () => {
    const categories = db.prepare("SELECT DISTINCT category FROM purchases ORDER BY 1").pluck().all();
    expect(categories).toEqual(["fragrance", "makeup", "shampoo", "skincare"]);
    const brands = db.prepare("SELECT DISTINCT brand FROM purchases").pluck().all();
    expect(brands).toEqual(expect.arrayContaining(["Pantene", "Head & Shoulders", "Olay", "L'Oréal", "自然堂", "百雀羚"]));
    const returns = count("SELECT count(*) FROM purchases WHERE quantity < 0");
    expect(returns / summary.purchases).toBeGreaterThan(0.015);
    expect(returns / summary.purchases).toBeLessThan(0.045);
    expect(count("SELECT count(*) FROM purchases WHERE quantity < 0 AND (amount >= 0 OR order_id NOT LIKE '%-R')")).toBe(0);
    // shampoo is cheap, skincare is not
    const average = (category: string): number => count("SELECT avg(amount) FROM purchases WHERE quantity > 0 AND category = ?", category);
    expect(average("skincare")).toBeGreaterThan(2 * average("shampoo"));
  });

  it("gives point lots a 12-month life, some of them expiring in the next 30 days", () => {
    expect(count("SELECT count(*) FROM point_lots WHERE expires_at - earned_at NOT BETWEEN 365 * ? AND 366 * ?", DAY, DAY)).toBe(0);
    expect(
      count("SELECT count(DISTINCT member_id) FROM point_lots WHERE expires_at > ? AND expires_at <= ?", AS_OF, AS_OF + 30 * DAY),
    ).toBeGreaterThan(MEMBERS * 0.05);
    expect(count("SELECT count(*) FROM members WHERE points >= 2000")).toBeGreaterThan(0);
  });

  it("has Chinese names and cities, most members in Shanghai time, some in five other zones", () => {
    const zones = Object.fromEntries(
      (db.prepare("SELECT timezone, count(*) AS n FROM members GROUP BY timezone").all() as { timezone: string; n: number }[]).map((r) => [
        r.timezone,
        r.n,
      ]),
    );
    expect(zones["Asia/Shanghai"]).toBeGreaterThan(MEMBERS * 0.8);
    for (const zone of ["Asia/Hong_Kong", "Asia/Singapore", "America/Los_Angeles", "Europe/London", "Pacific/Auckland"]) {
      expect(zones[zone], zone).toBeGreaterThan(0);
    }
    expect(count("SELECT count(*) FROM members WHERE name NOT GLOB '[一-龥]*'")).toBe(0);
    const cities = db.prepare("SELECT city FROM members GROUP BY city ORDER BY count(*) DESC LIMIT 6").pluck().all();
    expect(cities).toEqual(expect.arrayContaining(["上海", "北京"]));
  });

  it("has consents of about 70/60/50 % and contact details for most members", () => {
    const share = (column: string): number => count(`SELECT avg(${column}) FROM members`);
    expect(share("consent_sms")).toBeCloseTo(0.7, 1);
    expect(share("consent_email")).toBeCloseTo(0.6, 1);
    expect(share("consent_wechat")).toBeCloseTo(0.5, 1);
    expect(share("phone IS NOT NULL")).toBeGreaterThan(0.85);
    expect(share("email IS NOT NULL")).toBeGreaterThan(0.5);
    expect(share("wechat_openid IS NOT NULL")).toBeGreaterThan(0.7);
    expect(
      count(
        "SELECT count(*) FROM members WHERE birthday IS NOT NULL AND birth_md != CAST(substr(birthday, 6, 2) || substr(birthday, 9, 2) AS INTEGER)",
      ),
    ).toBe(0);
  });

  it("fills the custom fields of patron.yaml with values of their type", () => {
    const attributes = (db.prepare("SELECT attributes FROM members").pluck().all() as string[]).map(
      (text) => JSON.parse(text) as Record<string, unknown>,
    );
    const skin = DEMO_BUSINESS.fields.find((f) => f.name === "skin_type")?.values ?? [];
    for (const a of attributes) {
      if (a["skin_type"] !== undefined) expect(skin).toContain(a["skin_type"]);
      if (a["app_user"] !== undefined) expect(typeof a["app_user"]).toBe("boolean");
      if (a["vip_store"] !== undefined) expect(a["vip_store"]).toMatch(/^(BJ01|SH01|SH02|GZ01|SZ01|HZ01|CD01)$/);
    }
    expect(attributes.filter((a) => a["vip_store"] === "SH01" || a["vip_store"] === "SH02").length).toBeGreaterThan(0);
  });

  it("fills fields of another business from their declared types", () => {
    const store = openStore(":memory:");
    generateDemoData(store, {
      members: 200,
      seed: 1,
      asOf: AS_OF,
      business: {
        tiers: ["member", "vip"],
        timezone: "Europe/Paris",
        fields: [
          { name: "lifetime_spend", type: "number" },
          { name: "newsletter", type: "boolean" },
          { name: "size", type: "string", values: ["S", "M", "L"] },
          { name: "last_visit", type: "date" },
        ],
      },
    });
    const rows = store.prepare("SELECT tier, attributes FROM members").all() as { tier: string | null; attributes: string }[];
    expect(new Set(rows.map((r) => r.tier).filter((t) => t !== null))).toEqual(new Set(["member", "vip"]));
    for (const row of rows) {
      const a = JSON.parse(row.attributes) as Record<string, unknown>;
      if (a["lifetime_spend"] !== undefined) expect(typeof a["lifetime_spend"]).toBe("number");
      if (a["newsletter"] !== undefined) expect(typeof a["newsletter"]).toBe("boolean");
      if (a["size"] !== undefined) expect(["S", "M", "L"]).toContain(a["size"]);
      if (a["last_visit"] !== undefined) expect(a["last_visit"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    store.close();
  });

  it("leaves the store's indexes as the schema defines them", () => {
    const fresh = openStore(":memory:");
    const indexes = (d: Db): unknown[] => d.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
    expect(indexes(db)).toEqual(indexes(fresh));
    fresh.close();
  });

  it("refuses a store that already holds member data, unless told to replace it", () => {
    expect(() => generateDemoData(db, { members: 10, seed: 7, asOf: AS_OF })).toThrow(/already holds member data/);
    const store = openStore(":memory:");
    generateDemoData(store, { members: 50, seed: 3, asOf: AS_OF });
    const replaced = generateDemoData(store, { members: 20, seed: 3, asOf: AS_OF, replace: true });
    expect(replaced.members).toBe(20);
    expect(store.prepare("SELECT count(*) FROM members").pluck().get()).toBe(20);
    store.close();
  });

  describe("as CSV", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "patron-demo-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("writes the same data in the canonical columns, identically for the same seed", () => {
      const first = writeDemoCsv(join(dir, "a"), { members: 300, seed: 7, asOf: AS_OF });
      const second = writeDemoCsv(join(dir, "b"), { members: 300, seed: 7, asOf: AS_OF });
      for (const file of ["members.csv", "purchases.csv", "points.csv"]) {
        expect(readFileSync(join(dir, "a", file), "utf8")).toBe(readFileSync(join(dir, "b", file), "utf8"));
      }
      const lines = (file: string): string[] =>
        readFileSync(join(dir, "a", file), "utf8")
          .trimEnd()
          .split("\n");
      const members = lines("members.csv");
      expect(members[0]).toBe(
        "id,name,phone,email,wechat_openid,tier,points,city,gender,birthday,joined_at,timezone,consent_sms,consent_email,consent_wechat,referred_by,vip_store,skin_type,hair_concern,beauty_advisor,app_user",
      );
      expect(lines("purchases.csv")[0]).toBe("member_id,purchased_at,order_id,sku,brand,category,quantity,amount");
      expect(lines("points.csv")[0]).toBe("member_id,points,earned_at,expires_at");
      expect(members.length - 1).toBe(first.members);
      expect(lines("purchases.csv").length - 1).toBe(first.purchases);
      expect(lines("points.csv").length - 1).toBe(first.pointLots);
      expect({ ...second, files: undefined }).toEqual({ ...first, files: undefined });

      // the store gets the very same rows
      const store = openStore(":memory:");
      const inStore = generateDemoData(store, { members: 300, seed: 7, asOf: AS_OF });
      expect({ ...first, files: undefined }).toEqual({ ...inStore, files: undefined });
      const firstPurchase = lines("purchases.csv")[1]?.split(",") ?? [];
      const row = store.prepare("SELECT * FROM purchases WHERE order_id = ? AND sku = ?").get(firstPurchase[2], firstPurchase[3]) as {
        member_id: string;
        purchased_at: number;
        amount: number;
      };
      expect(row.member_id).toBe(firstPurchase[0]);
      expect(new Date(row.purchased_at).toISOString()).toBe(firstPurchase[1]);
      expect(String(row.amount)).toBe(firstPurchase[7]);
      store.close();
    });

    it("imports into the same store that generateDemoData writes", async () => {
      const options = { members: 300, seed: 11, asOf: AS_OF };
      const csv = writeDemoCsv(join(dir, "import"), options);
      const imported = openStore(":memory:");
      const config = { timezone: DEMO_BUSINESS.timezone, tiers: DEMO_BUSINESS.tiers, members: { fields: DEMO_BUSINESS.fields } };
      for (const kind of ["members", "purchases", "points"] as const) {
        const summary = await importCsv(imported, { kind, file: csv.files[kind], config, rejectsFile: join(dir, `${kind}.rejects.csv`) });
        expect(summary.rejected, kind).toBe(0);
      }
      const generatedStore = openStore(":memory:");
      generateDemoData(generatedStore, options);
      // the lots' source (signup, purchase) is not a CSV column: an import says "import"
      for (const sql of [
        `SELECT id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, birth_md, joined_at, timezone,
                consent_sms, consent_email, consent_wechat, referred_by, attributes FROM members ORDER BY id`,
        "SELECT * FROM purchases ORDER BY order_id, sku",
        "SELECT member_id, points, earned_at, expires_at FROM point_lots ORDER BY member_id, earned_at, points",
      ]) {
        expect(imported.prepare(sql).raw().all()).toEqual(generatedStore.prepare(sql).raw().all());
      }
      imported.close();
      generatedStore.close();
    });
  });
});
