import { describe, expect, test } from "vitest";
import { compileAudience, storeStats, type AudienceStats } from "../src/audience/sql/index.js";
import {
  addMembers,
  addPurchases,
  at,
  AUDIENCE_ENV,
  BUSINESS_ZONE,
  campaignOf,
  DAY,
  memoryStore,
  program,
} from "./fixtures/audience/support.js";

/*
 * How purchase tests are written — a set built once or a probe per member — as the planner
 * chooses from what the store tells it. (That both forms select the same members is checked by
 * every audience test: fixtures/audience/support.ts runs each condition planned and forced.)
 */

const AS_OF = at("2026-06-15T12:00");

function plan(condition: string, stats?: AudienceStats): string {
  const p = program(`when ${condition}, send message hello via sms`);
  return compileAudience(campaignOf(p).rule.condition, {
    env: AUDIENCE_ENV,
    segments: p.segments,
    asOf: AS_OF,
    businessZone: BUSINESS_ZONE,
    zones: [],
    ...(stats ? { stats } : {}),
  }).sql;
}

/** A store of `members` members where every count query finds `rows` rows, and member tests keep `share`. */
function fake(members: number, rows: (sql: string, params: readonly unknown[]) => number, share = 0.5): AudienceStats {
  return { members, count: (q) => rows(q.sql, q.params), share: () => share };
}

describe("without statistics", () => {
  test("a named item is a set, anything is a probe", () => {
    expect(plan("bought brand Olay within 30 days")).toContain("m.id IN (");
    expect(plan("bought anything within 30 days")).toContain("EXISTS (");
    expect(plan("bought anything within 30 days")).not.toContain("m.id IN (");
  });

  test("with a driving set, the other tests are probes for its few members", () => {
    const sql = plan(`bought brand Pantene within 30 days and not bought brand "Head & Shoulders" within 90 days`);
    expect(sql).toContain("m.id IN (");
    expect(sql).toContain("NOT EXISTS (");
  });
});

describe("how SQLite runs a set", () => {
  /** The lines of EXPLAIN QUERY PLAN for the compiled campaign, against the real schema. */
  function queryPlan(condition: string): string[] {
    const p = program(`when ${condition}, send message hello via sms`);
    const q = compileAudience(campaignOf(p).rule.condition, {
      env: AUDIENCE_ENV,
      segments: p.segments,
      asOf: AS_OF,
      businessZone: BUSINESS_ZONE,
      zones: [],
      strategy: "set",
    });
    return memoryStore()
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`)
      .all(...q.params)
      .map((r) => r.detail);
  }

  test("a window's rows: rowids from the time index alone, then the table by rowid (in rowid order)", () => {
    for (const condition of [
      "bought brand Olay within 30 days",
      "last purchase of category shampoo more than 45 days ago and last purchase of category shampoo less than 90 days ago",
      "bought at least 3 times within 90 days",
      "spent on category skincare at least 1000 within 180 days",
    ]) {
      const lines = queryPlan(condition);
      expect(lines, condition).toContainEqual(
        expect.stringMatching(/^SEARCH purchases USING COVERING INDEX purchases_time \(purchased_at>\?/),
      );
      expect(lines, condition).toContain("SEARCH purchases USING INTEGER PRIMARY KEY (rowid=?)");
    }
  });

  test("rows without a lower time bound: a scan, not a walk of the time index", () => {
    const lines = queryPlan("bought brand Olay");
    expect(lines.some((l) => l.includes("purchases_time"))).toBe(false);
    expect(lines.some((l) => l.includes("rowid=?"))).toBe(false);
  });
});

describe("with statistics", () => {
  test("a test whose rows are few becomes the driving set; a large one a probe", () => {
    const few = fake(1_000_000, () => 1_000);
    const many = fake(1_000_000, (_sql, params) => params.at(-1) as number); // always the cap
    expect(plan("bought category shampoo within 180 days", few)).toContain("m.id IN (");
    expect(plan("bought category shampoo within 180 days", many)).toContain("EXISTS (");
  });

  test("selective member tests leave few members: probes beat a large set", () => {
    const rows = fake(1_000_000, () => 100_000, 0.02); // 20k members pass the attributes
    expect(plan("vip_store = SH01 and bought category shampoo within 180 days", rows)).toContain("EXISTS (");
    const loose = fake(1_000_000, () => 100_000, 0.9);
    expect(plan("vip_store = SH01 and bought category shampoo within 180 days", loose)).toContain("m.id IN (");
  });

  test("the smallest set drives; a negated test is a set only when smaller still", () => {
    const sizes = (sql: string, params: readonly unknown[]): number =>
      params.includes("Olay") ? 500 : params.includes("Pantene") ? 50_000 : 100;
    const sql = plan(
      "bought brand Pantene within 30 days and bought brand Olay within 30 days and not bought brand B within 30 days",
      fake(1_000_000, sizes),
    );
    const olay = sql.indexOf("brand = ?");
    expect(sql.indexOf("m.id IN (")).toBeLessThan(sql.indexOf("EXISTS ("));
    expect(olay).toBeGreaterThan(0);
    // Pantene (50k rows) is probed for the ≤ 500 members Olay leaves; B (100 rows) is a small NOT IN set
    expect(sql).toContain("m.id NOT IN (");
    expect(sql.match(/EXISTS \(/g)).toHaveLength(1);
  });
});

describe("storeStats", () => {
  test("members, capped counts and the share of a sample", () => {
    const db = memoryStore();
    addMembers(
      db,
      Array.from({ length: 40 }, (_, i) => ({ id: `m${i}`, city: i % 4 === 0 ? "上海" : "北京" })),
    );
    addPurchases(
      db,
      Array.from({ length: 30 }, (_, i) => ({ member: `m${i}`, at: AS_OF - DAY, brand: "Olay" })),
    );
    const stats = storeStats(db);
    expect(stats.members).toBe(40);
    expect(stats.count({ sql: "SELECT count(*) FROM (SELECT 1 FROM purchases WHERE brand = ? LIMIT ?)", params: ["Olay", 10] })).toBe(10);
    const share = stats.share?.({ sql: "(m.city IS NOT NULL AND m.city = ?)", params: ["上海"] }) ?? 0;
    expect(share).toBeCloseTo(11 / 42, 5); // (10 of 40, plus one) / (40 plus two)
  });
});
