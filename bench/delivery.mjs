// `pnpm bench`, delivery: planning a campaign into the outbox and sending the outbox, measured in
// one run and printed as ratios against the targets:
//   - plan + render + outbox for a 1M-member audience (BENCH_MEMBERS to scale down) ≥ 100,000
//     messages/s (planned messages ÷ planRun's wall time), peak RSS of the planning process ≤ 300 MB;
//   - the dispatcher, sending to a no-op HTTP provider on 127.0.0.1 (keep-alive, 16 in flight):
//     ≥ 2,000 messages/s with no rate limit, and with ratePerSecond set the rate the provider sees
//     within 10% of it.
// The members come from the demo store the audience benchmark caches in bench/out/ (generated
// here when missing, under the same name), copied into a store of their own once per size, seed,
// generator and schema; every run plans into a fresh copy of it, deleted afterwards. The bench
// project (one service message on SMS, e-mail and WeChat to every member) is bench/delivery-fixture/.
//
// Environment: BENCH_MEMBERS (default 1,000,000), BENCH_SEED (default 1), BENCH_DISPATCH_ROWS
// (messages sent with no rate limit, default 20,000), BENCH_RATE (the ratePerSecond tested, default
// 500; it sends 5 s worth), BENCH_PROFILE=1 (also plan and send once more under node --cpu-prof and
// print where the time goes; the profiles are kept in bench/out/delivery-profile/).
import { performance } from "node:perf_hooks";
import { Buffer } from "node:buffer";
import http from "node:http";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { bundled } from "./bundled.mjs";
import { selfTimes } from "./delivery-profile.mjs";
import { builtVersion, failed, fmt, out, partResult, root, runChild } from "./support.mjs";

const fixture = join(root, "bench/delivery-fixture");
const AS_OF = Date.parse("2026-12-15T02:00:00Z"); // as the audience benchmark: Tuesday 10:00 in Shanghai
const TARGET_PLAN_PER_S = 100_000;
const TARGET_PLAN_RSS_MB = 300;
const TARGET_SEND_PER_S = 2_000;
const RATE_TOLERANCE = 0.1;
const RATE_SECONDS = 5;
const CONCURRENCY = 16;

export async function deliveryBenchmark() {
  const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const sendRows = Number(process.env.BENCH_DISPATCH_ROWS ?? 20_000);
  const rate = Number(process.env.BENCH_RATE ?? 500);
  const profile = process.env.BENCH_PROFILE === "1";
  mkdirSync(out, { recursive: true });
  console.log(`delivery, ${members.toLocaleString("en")} members, seed ${seed}, as of ${new Date(AS_OF).toISOString()}`);
  console.log(`  better-sqlite3: ${sqliteBuild()}`);

  const results = [];
  const work = join(out, "delivery-work.db");
  try {
    const store = await membersStore(members, seed);
    freshCopy(store, work);
    const plan = await runChild(await bundled("delivery-plan.mjs"), { db: work, fixture, asOf: AS_OF });
    results.push(...planningResults(plan));
    if (profile) await profilePlanning(store);
    const provider = await startProvider();
    try {
      console.log(
        `\n  dispatcher → no-op HTTP provider at ${provider.url} (keep-alive, ${CONCURRENCY} in flight), SMS rows of the planned outbox:`,
      );
      results.push(await unlimited(work, provider, sendRows));
      results.push(await rated(work, provider, rate));
      if (profile)
        await profiled("dispatcher with no rate limit", "dispatch", (nodeArgs) => sendAll(work, provider, sendRows, undefined, nodeArgs));
    } finally {
      await provider.close();
    }
  } catch (error) {
    results.push(failed("delivery", error));
  } finally {
    removeStore(work);
  }

  return partResult(`delivery at ${members.toLocaleString("en")} members`, results);
}

/**
 * Whether better-sqlite3 was compiled here, from the sources patches/ patched, or downloaded
 * prebuilt (unpatched: reading rows and binding strings slower, see patches/README.md).
 */
function sqliteBuild() {
  const engine = createRequire(join(root, "packages/engine/package.json"));
  const release = join(dirname(engine.resolve("better-sqlite3/package.json")), "build/Release");
  return existsSync(join(release, "obj.target"))
    ? "compiled here from patched sources (patches/README.md)"
    : "a prebuilt binary, without patches/better-sqlite3 (slower: see patches/README.md)";
}

// ---- the stores ----

/** A fingerprint of built code: a cached store is rebuilt when what wrote it has changed. */
/**
 * The members-only store of this size and seed, built from the audience benchmark's demo store
 * (named as bench/audience.mjs names it, and generated the same way when missing).
 */
async function membersStore(members, seed) {
  const generator = builtVersion("packages/engine/dist/demo");
  const schema = builtVersion("packages/engine/dist/store", "packages/engine/dist/store/migrations");
  const stem = `delivery-members-${members}-seed${seed}`;
  const path = join(out, `${stem}-${generator}-${schema}.db`);
  if (existsSync(path) && existsSync(`${path}.json`)) {
    const report = JSON.parse(readFileSync(`${path}.json`, "utf8"));
    console.log(`  reusing ${relative(root, path)} (${report.members.toLocaleString("en")} members)`);
    return path;
  }
  for (const file of readdirSync(out)) if (file.startsWith(`${stem}-`)) rmSync(join(out, file), { force: true });
  const demoStem = `audience-${members}-seed${seed}`;
  const demo = join(out, `${demoStem}-${generator}.db`);
  if (!(existsSync(demo) && existsSync(`${demo}.json`))) {
    for (const file of readdirSync(out)) if (file.startsWith(`${demoStem}-`)) rmSync(join(out, file), { force: true }); // older generator
    console.log(`  generating ${members.toLocaleString("en")} demo members into ${relative(root, demo)} …`);
    const report = await runChild("audience-generate.mjs", { mode: "db", path: demo, members, seed, asOf: AS_OF });
    writeFileSync(`${demo}.json`, JSON.stringify(report));
  }
  console.log(`  copying the members of ${relative(root, demo)} into ${relative(root, path)} …`);
  const report = await runChild("delivery-store.mjs", { demo, path });
  writeFileSync(`${path}.json`, JSON.stringify(report));
  console.log(`    ${report.members.toLocaleString("en")} members in ${report.seconds.toFixed(1)} s`);
  return path;
}

function freshCopy(from, to) {
  removeStore(to);
  copyFileSync(from, to);
}

function removeStore(path) {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}

// ---- planning ----

function planningResults(plan) {
  const { funnel } = plan;
  const perSecond = plan.planned / plan.seconds;
  const list = (counts) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n.toLocaleString("en")}`)
      .join(", ") || "none";
  console.log(
    `\n  planning points-statement (when points >= 0 … via sms or email or wechat) in a child process:\n` +
      `    ${funnel.audience.toLocaleString("en")} members → ${plan.planned.toLocaleString("en")} messages (${list(funnel.planned)}; ` +
      `suppressed: ${list(funnel.suppressed)})\n` +
      `    planRun ${fmt(plan.seconds)} (audience query + first page ${fmt(plan.firstPageSeconds ?? 0)}); ` +
      `${plan.outbox.toLocaleString("en")} outbox rows, content ${(plan.contentBytes / 1e6).toFixed(0)} MB, store ${(plan.dbBytes / 1e6).toFixed(0)} MB; ` +
      `set-up before planning (load, check, compile) ${fmt(plan.setupSeconds)}; members decided by the planning thread ` +
      `${plan.decided.planningThread.toLocaleString("en")}, by the writing thread ${plan.decided.writingThread.toLocaleString("en")}`,
  );
  console.log(
    `    ${Math.round(perSecond).toLocaleString("en")} messages/s = ${(perSecond / TARGET_PLAN_PER_S).toFixed(2)}× the target ` +
      `(CPU ${fmt(plan.cpuSeconds)} = ${Math.round(plan.planned / plan.cpuSeconds).toLocaleString("en")} messages per CPU-second, ` +
      `${((1e6 * plan.cpuSeconds) / plan.planned).toFixed(1)} µs of CPU a message: wall time suffers on a shared machine, CPU time less)`,
  );
  console.log(
    `    peak RSS ${plan.maxRssMb.toFixed(0)} MB = ${(plan.maxRssMb / TARGET_PLAN_RSS_MB).toFixed(2)}× the limit ` +
      `(RSS before planning ${plan.memory.setupRssMb.toFixed(0)} MB; largest seen between pages: JS heap ${plan.memory.heapUsedMb.toFixed(0)} MB ` +
      `used of ${plan.memory.heapTotalMb.toFixed(0)} MB, buffers ${plan.memory.externalMb.toFixed(0)} MB; the rest is SQLite's page caches and the writing thread's heap)`,
  );
  if (plan.ceiling) {
    const c = plan.ceiling;
    const jsPerMessage = c.dryRunCpuSeconds / c.dryRunPlanned;
    const sqlPerRow = c.sqliteInsertSeconds / c.sqliteRows;
    // Every member decided has a row, sent or not: the rows a planned message brings with it.
    const sqlPerMessage = c.sqliteInsertSeconds / plan.planned;
    const cores = availableParallelism();
    // A run writes on one thread and plans (reads, decides, renders) on both: at best the writing
    // alone on a core, or both halves spread over all cores, whichever is slower.
    const best = 1 / Math.max(sqlPerMessage, (jsPerMessage + sqlPerMessage) / cores);
    console.log(
      `    where the ceiling is: reading + deciding + rendering alone (a dry run) ${(1e6 * jsPerMessage).toFixed(1)} µs of CPU a message; ` +
        `SQLite alone writing the ${c.sqliteRows.toLocaleString("en")} rows with the outbox's indexes ${(1e6 * sqlPerRow).toFixed(1)} µs a row ` +
        `(no JavaScript per row, 500 rows a transaction), ${(1e6 * sqlPerMessage).toFixed(1)} µs a message; a run plans on two threads and writes on one of them: ` +
        `perfectly balanced on this machine's ${cores} cores, at most ${Math.round(best).toLocaleString("en")} messages/s = ` +
        `${(best / TARGET_PLAN_PER_S).toFixed(2)}× the target`,
    );
  }
  return [
    {
      name: "plan + render + outbox",
      ok: perSecond >= TARGET_PLAN_PER_S,
      summary:
        `${plan.planned.toLocaleString("en")} messages in ${fmt(plan.seconds)} = ${Math.round(perSecond).toLocaleString("en")}/s, ` +
        `${(perSecond / TARGET_PLAN_PER_S).toFixed(2)}× the ${TARGET_PLAN_PER_S.toLocaleString("en")}/s target`,
    },
    {
      name: "peak RSS (planning)",
      ok: plan.maxRssMb <= TARGET_PLAN_RSS_MB,
      summary: `${plan.maxRssMb.toFixed(0)} MB, ${(plan.maxRssMb / TARGET_PLAN_RSS_MB).toFixed(2)}× the ${TARGET_PLAN_RSS_MB} MB limit`,
    },
  ];
}

/** Plans again on a fresh copy under the CPU profiler and prints where the time went. */
async function profilePlanning(store) {
  const db = join(out, "delivery-profile.db");
  freshCopy(store, db);
  try {
    // Unbundled: the profile then names each function's own file (plan/, render/, runs/ …).
    await profiled("planning", "plan", (nodeArgs) => runChild("delivery-plan.mjs", { db, fixture, asOf: AS_OF, ceiling: false }, nodeArgs));
  } finally {
    removeStore(db);
  }
}

/**
 * Runs `job` (a child started with the node arguments given) under node --cpu-prof, keeps the
 * profile in bench/out/delivery-profile/<name>.cpuprofile and prints self time by part and by function.
 */
async function profiled(what, name, job) {
  const dir = join(out, "delivery-profile");
  const scratch = join(dir, name);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const report = await job(["--cpu-prof", `--cpu-prof-dir=${scratch}`]);
  const file = readdirSync(scratch).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${relative(root, scratch)}`);
  const kept = join(dir, `${name}.cpuprofile`);
  renameSync(join(scratch, file), kept);
  rmSync(scratch, { recursive: true, force: true });
  const times = selfTimes(kept, root);
  const pct = (ms) => `${((100 * ms) / times.totalMs).toFixed(1).padStart(5)}%`;
  console.log(
    `\n  CPU profile of the ${what} again (${fmt(report.seconds)} under the profiler; the whole child ${fmt(times.totalMs / 1000)}), ` +
      `${relative(root, kept)}:`,
  );
  console.log("    self time by part:");
  for (const p of times.parts.slice(0, 12)) console.log(`      ${pct(p.ms)} ${fmt(p.ms / 1000).padStart(8)}  ${p.name}`);
  console.log("    self time by function:");
  for (const f of times.functions.slice(0, 25)) console.log(`      ${pct(f.ms)} ${fmt(f.ms / 1000).padStart(8)}  ${f.name}  ${f.where}`);
  console.log("    time by the nearest Patron function on the stack (with the library and native code it called):");
  for (const f of times.callers.slice(0, 15)) console.log(`      ${pct(f.ms)} ${fmt(f.ms / 1000).padStart(8)}  ${f.name}  ${f.where}`);
  return report;
}

// ---- sending ----

/** The no-op provider: answers every POST with 200 and an id at once, and notes when each came. */
function startProvider() {
  const arrivals = [];
  let count = 0;
  const server = http.createServer((request, response) => {
    arrivals.push(performance.now());
    request.resume();
    request.on("end", () => {
      const body = `{"id":"bench-${++count}"}`;
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/messages`,
        /** The arrival times (ms) of the requests since the last call. */
        take: () => arrivals.splice(0),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Sends `rows` messages through the dispatcher in a child process. */
function sendAll(planned, provider, rows, ratePerSecond, nodeArgs = []) {
  provider.take();
  const job = { planned, db: join(out, "delivery-dispatch.db"), rows, url: provider.url, concurrency: CONCURRENCY };
  return runChild("delivery-dispatch.mjs", ratePerSecond === undefined ? job : { ...job, ratePerSecond }, nodeArgs);
}

async function unlimited(planned, provider, rows) {
  const report = await sendAll(planned, provider, rows);
  const received = provider.take().length;
  const perSecond = report.summary.sent / report.seconds;
  const allSent = report.summary.sent === rows && received === rows;
  console.log(
    `    no rate limit: ${report.summary.sent.toLocaleString("en")}/${rows.toLocaleString("en")} sent (provider got ${received.toLocaleString("en")}) ` +
      `in ${fmt(report.seconds)} = ${Math.round(perSecond).toLocaleString("en")} messages/s, ${(perSecond / TARGET_SEND_PER_S).toFixed(2)}× the target ` +
      `(dispatcher CPU ${((1e6 * report.cpuSeconds) / report.summary.sent).toFixed(0)} µs a message); ` +
      `peak RSS ${report.maxRssMb.toFixed(0)} MB; quiet hours ${clock(report.quietHours.from)}–${clock(report.quietHours.until)} checked per row`,
  );
  return {
    name: "dispatch, no rate limit",
    ok: perSecond >= TARGET_SEND_PER_S && allSent,
    summary:
      `${Math.round(perSecond).toLocaleString("en")} messages/s over ${rows.toLocaleString("en")} rows, ` +
      `${(perSecond / TARGET_SEND_PER_S).toFixed(2)}× the ${TARGET_SEND_PER_S.toLocaleString("en")}/s target` +
      (allSent ? "" : `; ONLY ${report.summary.sent} SENT (states ${JSON.stringify(report.states)})`),
  };
}

async function rated(planned, provider, rate) {
  const rows = Math.round(rate * RATE_SECONDS);
  const report = await sendAll(planned, provider, rows, rate);
  const arrivals = provider.take().sort((a, b) => a - b);
  // The rate the provider sees: requests after the first ÷ the time from the first to the last.
  const span = ((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)) / 1000;
  const achieved = span > 0 ? (arrivals.length - 1) / span : 0;
  const busiest = busiestSecond(arrivals);
  const ratio = achieved / rate;
  const allSent = report.summary.sent === rows && arrivals.length === rows;
  console.log(
    `    ratePerSecond ${rate}: ${report.summary.sent.toLocaleString("en")}/${rows.toLocaleString("en")} sent in ${fmt(report.seconds)}; ` +
      `the provider saw ${achieved.toFixed(1)}/s (first to last request) = ${ratio.toFixed(3)}× the rate, ` +
      `at most ${busiest} in any 1 s window`,
  );
  return {
    name: `dispatch at ratePerSecond ${rate}`,
    // The target is the rate over the run (issue 4: within 10%). The busiest 1 s window is shown
    // too: request latency bunches arrivals, and the limiter lets 2 late starts catch up.
    ok: Math.abs(ratio - 1) <= RATE_TOLERANCE && allSent,
    summary:
      `${achieved.toFixed(1)}/s at the provider = ${ratio.toFixed(3)}× the configured ${rate}/s (within ±${RATE_TOLERANCE * 100}%), ` +
      `busiest second ${busiest}` +
      (allSent ? "" : `; ONLY ${report.summary.sent} SENT`),
  };
}

/** The most requests in any window of 1,000 ms. */
function busiestSecond(times) {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const clock = ({ hour, minute }) => `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await deliveryBenchmark();
  console.log(`\n${result.ok ? "✓" : "✗"} ${result.name}: ${result.summary}`);
}
