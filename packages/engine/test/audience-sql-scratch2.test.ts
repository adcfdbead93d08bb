import { test } from "vitest";
import Database from "better-sqlite3";
import { CANONICAL_FIELDS, check, parse, SourceFile } from "@patron/dsl";
import { audienceQuery } from "../src/audience/sql/index.js";
import { DEMO_BUSINESS } from "../src/demo/index.js";
// @ts-expect-error plain JS module
import { CAMPAIGNS, handParams } from "../../../bench/audience-campaigns.mjs";

const DB = process.env.AUD_DB ?? "/work/main/bench/out/audience-1000000-seed1-e13a2c3ab7.db";
const ONLY = process.env.AUD_ONLY;
const AS_OF = Date.parse("2026-12-15T02:00:00Z");

function time(f: () => unknown[]): { ms: number; n: number } {
  let best = Infinity; let n = 0;
  for (let i = 0; i < 2; i++) { const t = performance.now(); n = f().length; best = Math.min(best, performance.now() - t); }
  return { ms: best, n };
}

test("bench compare", () => {
  const db = new Database(DB, { readonly: true });
  db.pragma("cache_size = -65536"); db.pragma("temp_store = MEMORY");
  const env = { tiers: DEMO_BUSINESS.tiers, fields: [...CANONICAL_FIELDS, ...DEMO_BUSINESS.fields], channels: ["sms", "email", "wechat"] as const, messages: [{ name: "bench", channels: ["sms", "email", "wechat"] as const }], coupons: [], timezone: DEMO_BUSINESS.timezone };
  for (const spec of CAMPAIGNS as { id: string; text: string; sql: string }[]) {
    if (ONLY && !ONLY.split(",").includes(spec.id)) continue;
    const checked = check({ files: [parse(new SourceFile(`${spec.id}.campaign`, spec.text))], env: env as never });
    const c = checked.campaigns[0]!;
    const q = audienceQuery(db as never, c.rule.condition, { env: env as never, segments: checked.segments, asOf: AS_OF });
    const hand = db.prepare(spec.sql).pluck();
    const h = time(() => hand.all(handParams(AS_OF)));
    const m = time(() => { const q2 = audienceQuery(db as never, c.rule.condition, { env: env as never, segments: checked.segments, asOf: AS_OF }); return db.prepare(q2.sql).pluck().all(...q2.params); });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail).join(" | ");
    console.log(`${spec.id}: hand ${h.ms.toFixed(0)} ms (${h.n}), patron ${m.ms.toFixed(0)} ms (${m.n}), ratio ${(m.ms / h.ms).toFixed(2)}\n   ${plan}`);
  }
}, 3_600_000);
