// `pnpm bench`, audiences and import: at 1M members / ~10M purchases (BENCH_MEMBERS to scale
// down), measured in one run and printed as ratios against the targets:
//   - Patron's audience (the SQL compiler) ≤ 1.3× a hand-written indexed query for the campaign;
//   - ≥ 30× faster than json-rules-engine evaluating member by member;
//   - import ≥ 200k rows/s (a generated purchases CSV of ≥ 1M rows);
//   - memory bounded: peak RSS of each process ≤ 1 GiB.
// Run after `tsc -b`: it uses the built packages (packages/*/dist). Each part is a function and
// reports a missing piece (not built, not written yet) as a failed line instead of stopping.
//
// Environment: BENCH_MEMBERS (default 1,000,000), BENCH_SEED (default 1), BENCH_RULES_SAMPLE
// (members evaluated by json-rules-engine per campaign, default 20,000), BENCH_IMPORT_ROWS
// (purchase rows to import, default 1,000,000). Generated data is kept in bench/out/, keyed by
// size, seed and the generator's code, and reused by later runs.
import { performance } from "node:perf_hooks";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CAMPAIGNS, handParams } from "./audience-campaigns.mjs";
import { builtVersion, failed, fmt, MissingPiece, out, partResult, root, runChild } from "./support.mjs";

const AS_OF = Date.parse("2026-12-15T02:00:00Z"); // Tuesday 10:00 in Shanghai
// Patron's query and the hand-written one take turns, each run at least MIN_RUNS times and, for
// short queries, until each has had about a second: a 5 ms query timed 3 times swung ±30% on a
// shared machine, and turns keep a burst of load from landing on one side only.
const MIN_RUNS = 3;
const MAX_RUNS = 200;
const SECONDS_EACH = 1;
const TARGET_SQL_RATIO = 1.3;
const TARGET_RULES_SPEEDUP = 30;
const TARGET_IMPORT_ROWS_PER_S = 200_000;
const TARGET_RSS_MB = 1024;

/** Loads a built module and checks it has the functions the benchmark calls. */
async function piece(what, file, names) {
  const path = join(root, file);
  if (!existsSync(path)) throw new MissingPiece(`${what}: ${relative(root, path)} is not built (run npx tsc -b; is it written yet?)`);
  const mod = await import(pathToFileURL(path).href);
  const missing = names.filter((name) => typeof mod[name] !== "function");
  if (missing.length > 0) throw new MissingPiece(`${what}: ${relative(root, path)} does not export ${missing.join(", ")}`);
  return mod;
}

export async function audienceBenchmark() {
  const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const sampleSize = Number(process.env.BENCH_RULES_SAMPLE ?? 20_000);
  const importRows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
  mkdirSync(out, { recursive: true });
  console.log(`audiences and import, ${members.toLocaleString("en")} members, seed ${seed}, as of ${new Date(AS_OF).toISOString()}`);

  const results = [];
  let data;
  try {
    data = await demoStore(members, seed);
    results.push({ name: "demo data", ok: data.maxRssMb <= TARGET_RSS_MB, summary: data.line });
  } catch (error) {
    results.push(failed("demo data", error));
  }
  if (data) {
    try {
      results.push(...(await audiences(data, sampleSize)));
    } catch (error) {
      results.push(failed("audiences", error));
    }
  }
  try {
    results.push(...(await importSpeed(importRows, seed)));
  } catch (error) {
    results.push(failed("import", error));
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  results.push({
    name: "peak RSS (audiences)",
    ok: rss <= TARGET_RSS_MB,
    summary: `${rss.toFixed(0)} MB in this process (target ≤ ${TARGET_RSS_MB} MB)`,
  });

  return partResult(`audiences and import at ${members.toLocaleString("en")} members`, results);
}

// ---- the store ----

/** The demo store of this size and seed: reused from bench/out when the generator has not changed. */
async function demoStore(members, seed) {
  const version = builtVersion("packages/engine/dist/demo");
  const stem = `audience-${members}-seed${seed}`;
  const path = join(out, `${stem}-${version}.db`);
  const meta = `${path}.json`;
  if (existsSync(path) && existsSync(meta)) {
    const report = JSON.parse(readFileSync(meta, "utf8"));
    console.log(`reusing ${relative(root, path)} (generated in ${report.seconds.toFixed(0)} s)`);
    return { path, ...report, line: describeGeneration(report, "reused; ") };
  }
  for (const file of readdirSync(out)) if (file.startsWith(`${stem}-`)) rmSync(join(out, file), { force: true }); // older generator
  console.log(`generating ${members.toLocaleString("en")} members into ${relative(root, path)} …`);
  const report = await runChild("audience-generate.mjs", { mode: "db", path, members, seed, asOf: AS_OF });
  writeFileSync(meta, JSON.stringify(report));
  console.log(`  ${describeGeneration(report, "")}`);
  return { path, ...report, line: describeGeneration(report, "") };
}

function describeGeneration({ summary, seconds, maxRssMb }, prefix) {
  const rows = summary.members + summary.purchases + summary.pointLots;
  return (
    `${prefix}${summary.members.toLocaleString("en")} members, ${summary.purchases.toLocaleString("en")} purchases, ` +
    `${summary.pointLots.toLocaleString("en")} point lots, ${summary.referrals.toLocaleString("en")} referrals in ${seconds.toFixed(1)} s ` +
    `(${Math.round(summary.members / seconds).toLocaleString("en")} members/s, ${Math.round(rows / seconds).toLocaleString("en")} rows/s), peak RSS ${maxRssMb.toFixed(0)} MB`
  );
}

// ---- audiences ----

async function audiences(data, sampleSize) {
  const dsl = await piece("campaign language", "packages/dsl/dist/index.js", ["parse", "check"]);
  const { openStore } = await piece("store", "packages/engine/dist/store/store.js", ["openStore"]);
  const { DEMO_BUSINESS } = await piece("demo generator", "packages/engine/dist/demo/index.js", ["generateDemoData"]);

  const env = {
    tiers: DEMO_BUSINESS.tiers,
    fields: [...dsl.CANONICAL_FIELDS, ...DEMO_BUSINESS.fields],
    channels: ["sms", "email", "wechat"],
    messages: [{ name: "bench", channels: ["sms", "email", "wechat"] }],
    coupons: [],
    timezone: DEMO_BUSINESS.timezone,
  };
  const files = CAMPAIGNS.map((c) => dsl.parse(new dsl.SourceFile(`bench/${c.id}.campaign`, c.text)));
  const checked = dsl.check({ files, env });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`the bench campaigns do not check: ${errors.map((d) => d.message).join("; ")}`);
  const campaigns = new Map(checked.campaigns.map((c) => [c.id, c]));

  const db = openStore(data.path);
  const memberIds = db.prepare("SELECT id FROM members ORDER BY id").pluck().all();
  const step = Math.max(1, Math.floor(memberIds.length / sampleSize));
  const sample = memberIds.filter((_, i) => i % step === 0).slice(0, sampleSize);
  const params = handParams(AS_OF);

  let sql;
  let rules;
  const missing = [];
  try {
    sql = await piece("SQL audience compiler", "packages/engine/dist/audience/sql/index.js", ["selectAudience"]);
  } catch (error) {
    missing.push(error.message);
  }
  try {
    rules = await piece("json-rules-engine evaluator", "packages/engine/dist/audience/rules/index.js", [
      "compileCampaign",
      "memberMatches",
    ]);
  } catch (error) {
    missing.push(error.message);
  }
  for (const m of missing) console.log(`  ✗ ${m}`);

  const rows = [];
  for (const spec of CAMPAIGNS) {
    const campaign = campaigns.get(spec.id);
    if (!campaign) throw new Error(`campaign ${spec.id} was not checked`);
    const hand = db.prepare(spec.sql);
    const handRun = () => hand.pluck().all(params).map(String);
    const expected = handRun(); // also warms the page cache for both
    const row = { spec, count: expected.length };
    if (sql) {
      const options = { env, segments: checked.segments, asOf: AS_OF };
      const patronRun = () => sql.selectAudience(db, campaign, options).memberIds;
      const got = patronRun();
      row.same = sameMembers(got, expected);
      const timed = inTurns(handRun, patronRun);
      row.hand = timed.a;
      row.patron = timed.b;
      row.runs = timed.runs;
    } else {
      row.hand = inTurns(handRun, handRun).a;
    }
    if (rules) {
      const compiled = rules.compileCampaign(campaign, { env, segments: checked.segments, asOf: AS_OF });
      const inAudience = new Set(expected);
      let disagree = 0;
      const start = performance.now();
      for (const id of sample) if ((await rules.memberMatches(db, compiled, id)) !== inAudience.has(id)) disagree++;
      const seconds = (performance.now() - start) / 1000;
      row.rulesSample = sample.length;
      row.rulesDisagree = disagree;
      row.rules = (seconds * memberIds.length) / sample.length;
    }
    rows.push(row);
    printRow(row, rows.length === 1);
  }
  db.close();
  if (rules) {
    console.log(
      `  * json-rules-engine: timed on ${sample.length.toLocaleString("en")} members evenly spread over the ids, ` +
        `extrapolated linearly to all ${memberIds.length.toLocaleString("en")}; Patron and hand SQL: medians of runs taking turns ` +
        `(${rows.map((r) => r.runs ?? 0).join(", ")} runs each)`,
    );
  }

  const results = [];
  for (const row of rows) {
    const name = `audience ${row.spec.id}`;
    if (row.patron === undefined) {
      results.push({ name, ok: false, summary: `SQL compiler missing; hand-written SQL ${fmt(row.hand)} for ${row.count} members` });
      continue;
    }
    const ratio = row.patron / row.hand;
    const speedup = row.rules === undefined ? undefined : row.rules / row.patron;
    const ok =
      row.same.ok && ratio <= TARGET_SQL_RATIO && speedup !== undefined && speedup >= TARGET_RULES_SPEEDUP && row.rulesDisagree === 0;
    results.push({
      name,
      ok,
      summary:
        `${fmt(row.patron)} = ${ratio.toFixed(2)}× hand SQL (≤ ${TARGET_SQL_RATIO}), ` +
        (speedup === undefined
          ? "rules evaluator missing"
          : `${speedup.toFixed(speedup < 100 ? 1 : 0)}× faster than json-rules-engine (≥ ${TARGET_RULES_SPEEDUP})`) +
        (row.same.ok ? "" : `; DIFFERENT MEMBERS: ${row.same.detail}`) +
        (row.rulesDisagree ? `; json-rules-engine disagrees on ${row.rulesDisagree} sampled members` : ""),
    });
  }
  for (const m of missing) results.push({ name: "audience pieces", ok: false, summary: m });
  return results;
}

function printRow(row, header) {
  if (header) {
    console.log("");
    console.log(
      `  ${"campaign".padEnd(16)} ${"kind".padEnd(33)} ${"members".padStart(9)}  ${"Patron".padStart(8)}  ${"hand SQL".padStart(8)}  ${"ratio".padStart(6)}    ` +
        `${"json-rules-engine".padStart(17)}  ${"speed-up".padStart(8)}`,
    );
  }
  const ratio = row.patron === undefined ? undefined : row.patron / row.hand;
  const speedup = row.rules === undefined || row.patron === undefined ? undefined : row.rules / row.patron;
  const mark = (ok) => (ok ? "✓" : "✗");
  const rulesCell = row.rules === undefined ? "missing" : `${fmt(row.rules)}*`;
  console.log(
    `  ${row.spec.id.padEnd(16)} ${row.spec.kind.padEnd(33)} ${row.count.toLocaleString("en").padStart(9)}  ` +
      `${(row.patron === undefined ? "missing" : fmt(row.patron)).padStart(8)}  ${fmt(row.hand).padStart(8)}  ` +
      `${ratio === undefined ? "     –  " : `${ratio.toFixed(2)}× ${mark(ratio <= TARGET_SQL_RATIO)}`}  ` +
      `${rulesCell.padStart(17)}  ${speedup === undefined ? "       –  " : `${speedup.toFixed(speedup < 100 ? 1 : 0).padStart(7)}× ${mark(speedup >= TARGET_RULES_SPEEDUP)}`}` +
      (row.same && !row.same.ok ? `  ✗ members differ: ${row.same.detail}` : "") +
      (row.rulesDisagree ? `  ✗ rules disagree on ${row.rulesDisagree}` : ""),
  );
}

function sameMembers(got, expected) {
  const a = [...got].sort();
  const b = [...expected].sort();
  if (a.length === b.length && a.every((id, i) => id === b[i])) return { ok: true };
  const inB = new Set(b);
  const inA = new Set(a);
  const extra = a.filter((id) => !inB.has(id));
  const lacking = b.filter((id) => !inA.has(id));
  return {
    ok: false,
    detail: `Patron ${a.length}, hand ${b.length}; only Patron: ${extra.slice(0, 3).join(" ")}; only hand: ${lacking.slice(0, 3).join(" ")}`,
  };
}

// ---- import ----

async function importSpeed(rows, seed) {
  await piece("importer", "packages/engine/dist/import/index.js", ["importCsv"]);
  const version = builtVersion("packages/engine/dist/demo");
  // ~9–10 purchase rows a member: enough members for `rows` purchase rows
  const members = Math.max(100, Math.ceil(rows / 9));
  const dir = join(out, `import-csv-${members}-seed${seed}-${version}`);
  let csv;
  if (existsSync(join(dir, "report.json"))) {
    csv = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  } else {
    for (const file of readdirSync(out))
      if (file.startsWith(`import-csv-${members}-seed${seed}-`)) rmSync(join(out, file), { recursive: true, force: true });
    console.log(`\nwriting CSV files of ${members.toLocaleString("en")} members to ${relative(root, dir)} …`);
    csv = await runChild("audience-generate.mjs", { mode: "csv", path: dir, members, seed, asOf: AS_OF });
    writeFileSync(join(dir, "report.json"), JSON.stringify(csv));
  }
  console.log(`\nimporting ${relative(root, dir)} (${csv.summary.purchases.toLocaleString("en")} purchase rows) into a fresh store …`);
  const report = await runChild("import-run.mjs", { dir, db: join(out, "import-bench.db") });
  for (const suffix of ["", "-wal", "-shm"]) rmSync(join(out, "import-bench.db") + suffix, { force: true });
  const line = (kind) => {
    const f = report.files[kind];
    return `${f.read.toLocaleString("en")} ${kind} rows in ${fmt(f.seconds)} = ${Math.round(f.rowsPerSecond).toLocaleString("en")} rows/s${f.rejected ? `, ${f.rejected} REJECTED` : ""}`;
  };
  const p = report.files.purchases;
  return [
    {
      name: "import purchases",
      ok: p.rowsPerSecond >= TARGET_IMPORT_ROWS_PER_S && p.rejected === 0 && p.read >= Math.min(rows, 1_000_000),
      summary: `${line("purchases")} (target ≥ ${TARGET_IMPORT_ROWS_PER_S.toLocaleString("en")})`,
    },
    {
      name: "import members and points",
      ok: report.files.members.rejected === 0 && report.files.points.rejected === 0,
      summary: `${line("members")}; ${line("points")}`,
    },
    {
      name: "peak RSS (import)",
      ok: report.maxRssMb <= TARGET_RSS_MB,
      summary: `${report.maxRssMb.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB} MB)`,
    },
  ];
}

// ---- helpers ----

/** Median seconds of `a` and of `b`, run in turns (see MIN_RUNS). */
function inTurns(a, b) {
  const times = { a: [], b: [] };
  const time = (fn, into) => {
    const start = performance.now();
    fn();
    into.push((performance.now() - start) / 1000);
  };
  let spent = 0;
  let runs = 0;
  while (runs < MIN_RUNS || (runs < MAX_RUNS && spent < SECONDS_EACH)) {
    time(a, times.a);
    time(b, times.b);
    spent = Math.max(sum(times.a), sum(times.b));
    runs++;
  }
  return { a: middle(times.a), b: middle(times.b), runs };
}

function sum(values) {
  return values.reduce((s, v) => s + v, 0);
}

function middle(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await audienceBenchmark();
  console.log(`\n${result.ok ? "✓" : "✗"} ${result.name}: ${result.summary}`);
}
