import { test } from "vitest";
import Database from "better-sqlite3";
import { audienceQuery } from "../src/audience/sql/index.js";
import { AUDIENCE_ENV, at, campaignOf, program } from "./fixtures/audience/support.js";

const DB = process.env.AUD_DB ?? "/tmp/aud/small.db";
const CASES: string[] = (process.env.AUD_CASES ?? "").split("|").filter(Boolean);
const DEFAULT = [
  `bought brand B7 within 30 days`,
  `bought category C3 within 90 days`,
  `bought sku "S00042-1" within 365 days`,
  `bought anything within 30 days`,
  `bought brand B7`,
  `bought anything`,
  `not bought anything within 90 days`,
  `bought brand in (B1, B2) at least 3 times within 365 days`,
  `bought at most 2 times within 90 days`,
  `spent at least 1000 within 90 days`,
  `spent on brand B3 less than 100 within 365 days`,
  `last purchase more than 60 days ago`,
  `last purchase of category C1 less than 30 days ago`,
  `last purchase exactly 10 days ago`,
  `points expiring within 30 days >= 500`,
  `referred at least 1 member within 30 days`,
  `referred at least 2 members`,
  `referred at most 1 member within 365 days`,
  `joined within 14 days`,
  `birthday within 7 days`,
  `age between 25 and 35`,
  `tier >= gold`,
  `city in ("北京", "上海")`,
  `vip_store = SH01 and app_user is true`,
  `lifetime_spend > 5000`,
  `tier >= platinum and not bought anything within 90 days`,
  `bought brand B1 within 30 days and tier >= gold and not bought brand B2 within 90 days`,
  `bought at least 3 times within 90 days and spent at least 1000 within 90 days and tier < platinum`,
  `(tier >= platinum and vip_store in ("SH01", "SH02")) or (city = "上海" and last purchase more than 90 days ago)`,
];

test("plans", () => {
  const db = new Database(DB, { readonly: true });
  db.pragma("cache_size = -65536");
  const asOf = at("2026-12-15T09:30");
  for (const c of CASES.length ? CASES : DEFAULT) {
    const p = program(`when ${c}, send message hello via sms`);
    const q = audienceQuery(db, campaignOf(p).rule.condition, { env: AUDIENCE_ENV, segments: p.segments, asOf });
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { id: number; parent: number; detail: string }[];
    const t0 = performance.now();
    const q2 = audienceQuery(db, campaignOf(p).rule.condition, { env: AUDIENCE_ENV, segments: p.segments, asOf });
    const n = db.prepare(q2.sql).pluck().all(...q2.params).length;
    const ms = performance.now() - t0;
    const depth = new Map<number, number>([[0, -1]]);
    const lines = plan.map((r) => { const d = (depth.get(r.parent) ?? 0) + 1; depth.set(r.id, d); return "  ".repeat(d) + r.detail; });
    console.log(`### ${c}\n${n} members, ${ms.toFixed(0)} ms\n${lines.join("\n")}\n`);
  }
}, 3_600_000);
