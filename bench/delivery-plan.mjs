// Child process of the delivery benchmark: plans the bench campaign (bench/delivery-fixture/) into
// the outbox of a store, as `patron run` does (createPlanner + planRun), alone in its process so
// its peak RSS is the planning's own. Progress goes to stderr; the last line of stdout is a JSON
// report: planning wall time (planRun's), the funnel, outbox rows, and time to the first page.
//   node [--cpu-prof] bench/delivery-plan.mjs '{"db":"…","fixture":"…","asOf":…}'
import { performance } from "node:perf_hooks";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (pkg) => pathToFileURL(join(root, "packages", pkg, "dist/index.js")).href;
const job = JSON.parse(process.argv[2] ?? "{}");
const loadStart = performance.now();
const { loadConfig, toCheckEnvironment } = await import(dist("config"));
const { parse, check, SourceFile } = await import(dist("dsl"));
const { openStore, createPlanner, planRun, totalPlanned } = await import(dist("engine"));

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
// Where the memory is, sampled after every page: the JS heap, and what lives outside it (SQLite's
// page cache and TEMP tables are in RSS only).
const memory = { heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 };
const start = performance.now();
const cpuStart = process.cpuUsage();
const onProgress = (done, total) => {
  const now = performance.now();
  firstPageAt ??= now;
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
    planned: totalPlanned(result.funnel),
    outbox: rows.outbox,
    contentBytes: rows.contentBytes,
    dbBytes,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    memory: { ...memory, setupRssMb },
  }),
);
