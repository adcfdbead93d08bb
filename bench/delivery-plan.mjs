// Child process of the delivery benchmark: plans the bench campaign (bench/delivery-fixture/) into
// the outbox of a store, as `patron run` does (createPlanner + planRun), alone in its process so
// its peak RSS is the planning's own. Progress goes to stderr; the last line of stdout is a JSON
// report: planning wall time (planRun's), the funnel, outbox rows, and time to the first page.
// The benchmark runs it bundled, as the CLI is (bench/bundled.mjs): what it loads weighs in its RSS.
//   node [--cpu-prof] bench/delivery-plan.mjs '{"db":"…","fixture":"…","asOf":…}'
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { loadConfig, toCheckEnvironment } from "../packages/config/dist/index.js";
import { parse, check, SourceFile } from "../packages/dsl/dist/index.js";
import { openStore, createPlanner, dryRun, planRun, totalPlanned } from "../packages/engine/dist/index.js";

const job = JSON.parse(process.argv[2] ?? "{}");
const loadStart = 0; // performance.now() counts from the process's start: set-up includes loading the modules

const loaded = loadConfig(join(job.fixture, "patron.yaml"));
if (!loaded.config)
  throw new Error(`bench/delivery-fixture/patron.yaml does not load: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
const config = loaded.config;
const env = toCheckEnvironment(config);
const campaignFile = join(job.fixture, "points-statement.campaign");
const checked = check({ files: [parse(new SourceFile(campaignFile, readFileSync(campaignFile, "utf8")))], env });
const errors = checked.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0) throw new Error(`the bench campaign does not check: ${errors.map((d) => d.message).join("; ")}`);
const campaign = checked.campaigns[0];

const db = openStore(job.db, { mustExist: true });
// A signing secret, as in production: every e-mail then carries an HMAC-signed unsubscribe link.
const planner = createPlanner({ db, config, env, segments: checked.segments, signingSecret: "delivery-bench-secret" });
const setupSeconds = (performance.now() - loadStart) / 1000;
const setupRssMb = process.memoryUsage().rss / 2 ** 20;

let firstPageAt;
let lastReport = 0;
// Where the memory is, sampled every 10th page (process.memoryUsage() reads /proc: after every
// page of 500 it was a percent of the planning): the JS heap, and what lives outside it (SQLite's
// page cache and TEMP tables are in RSS only).
const memory = { heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 };
let pages = 0;
const start = performance.now();
const cpuStart = process.cpuUsage();
const onProgress = (done, total) => {
  const now = performance.now();
  firstPageAt ??= now;
  if (pages++ % 10 !== 0 && done !== total) return;
  const m = process.memoryUsage();
  memory.heapUsedMb = Math.max(memory.heapUsedMb, m.heapUsed / 2 ** 20);
  memory.heapTotalMb = Math.max(memory.heapTotalMb, m.heapTotal / 2 ** 20);
  memory.externalMb = Math.max(memory.externalMb, (m.external + m.arrayBuffers) / 2 ** 20);
  if (now - lastReport < 5000 && done !== total) return;
  lastReport = now;
  process.stderr.write(
    `  planned ${done.toLocaleString("en")}/${total.toLocaleString("en")} members (${((now - start) / 1000).toFixed(0)} s)\n`,
  );
};
const result = planRun(planner.input(campaign, job.asOf, onProgress), job.asOf, campaignFile);
const cpu = process.cpuUsage(cpuStart);
const rows = db
  .prepare("SELECT count(*) AS outbox, coalesce(sum(length(content)), 0) AS contentBytes FROM outbox WHERE run_id = ?")
  .get(result.run.id);
const dbBytes = db.prepare("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").pluck().get();
const maxRssMb = process.resourceUsage().maxRSS / 1024; // before the ceiling measurements below
const ceiling = job.ceiling === false ? undefined : measureCeiling(result.run.id);
db.close();
console.log(
  JSON.stringify({
    runId: result.run.id,
    seconds: result.elapsedMs / 1000,
    // CPU time of this process during planRun: on a shared machine, less load-dependent than wall time.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    firstPageSeconds: firstPageAt === undefined ? null : (firstPageAt - start) / 1000,
    setupSeconds,
    funnel: result.funnel,
    decided: result.decided,
    planned: totalPlanned(result.funnel),
    outbox: rows.outbox,
    contentBytes: rows.contentBytes,
    dbBytes,
    maxRssMb,
    ceiling,
    memory: { ...memory, setupRssMb },
  }),
);

/**
 * The two halves of planning measured apart, for where the ceiling is on this machine: reading,
 * deciding and rendering with nothing written (a dry run of the same campaign, CPU time), and
 * SQLite alone writing the planned rows into a table with the outbox's schema and indexes
 * (INSERT … SELECT, 500 rows a transaction as planning's pages: no JavaScript per row). A run
 * does the two on two threads (the planning thread and the outbox's writing thread).
 */
function measureCeiling(runId) {
  const cpu0 = process.cpuUsage();
  const dry = dryRun(planner.input(campaign, job.asOf));
  const dryCpu = process.cpuUsage(cpu0);
  const ddl = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'outbox' AND sql IS NOT NULL").all();
  const rename = (sql) => sql.replace(/\boutbox\b/g, "bench_outbox").replace(/\b(outbox_\w+)\b/g, "bench_$1");
  for (const d of ddl) if (d.type === "table") db.exec(rename(d.sql));
  for (const d of ddl) if (d.type === "index") db.exec(rename(d.sql));
  const columns = db.prepare("SELECT name FROM pragma_table_info('outbox') WHERE name <> 'id'").pluck().all().join(", ");
  // As the outbox's writing thread does (runs/outbox-worker.ts): no foreign key or CHECK tests.
  db.pragma("foreign_keys = OFF");
  db.pragma("ignore_check_constraints = ON");
  const [first, last] = db.prepare("SELECT min(id), max(id) FROM outbox WHERE run_id = ?").raw().get(runId);
  // By id range (+run_id: not through the run's index, which would read the whole run each time).
  const copy = db.prepare(`INSERT INTO bench_outbox (${columns}) SELECT ${columns} FROM outbox WHERE id >= ? AND id < ? AND +run_id = ?`);
  const start = performance.now();
  let copied = 0;
  for (let from = first; from <= last; from += 500) copied += db.transaction(() => copy.run(from, from + 500, runId).changes).immediate();
  const insertSeconds = (performance.now() - start) / 1000;
  db.exec("DROP TABLE bench_outbox");
  return {
    dryRunSeconds: dry.elapsedMs / 1000,
    dryRunCpuSeconds: (dryCpu.user + dryCpu.system) / 1e6,
    dryRunPlanned: totalPlanned(dry.funnel),
    sqliteRows: copied,
    sqliteInsertSeconds: insertSeconds,
  };
}
