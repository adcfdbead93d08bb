// Child process of the audience benchmark: generates demo data into a store (`db`) or as CSV
// files (`csv`), so the benchmark's own peak memory is not the generator's. Progress goes to
// stderr; the last line of stdout is a JSON report.
//   node bench/audience-generate.mjs '{"mode":"db","path":"…","members":1000000,"seed":1,"asOf":…}'
import { performance } from "node:perf_hooks";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (file) => pathToFileURL(join(root, "packages/engine/dist", file)).href;

const job = JSON.parse(process.argv[2] ?? "{}");
const { generateDemoData, writeDemoCsv } = await import(dist("demo/index.js"));
const { openStore } = await import(dist("store/store.js"));

let lastReport = 0;
const onProgress = (p) => {
  const now = Date.now();
  if (now - lastReport < 5000 && p.done !== p.total) return;
  lastReport = now;
  process.stderr.write(
    `  ${p.phase} ${p.done.toLocaleString("en")}/${p.total.toLocaleString("en")} (${((performance.now() - start) / 1000).toFixed(0)} s)\n`,
  );
};
const options = { members: job.members, seed: job.seed, asOf: job.asOf, onProgress };
const start = performance.now();
let summary;
if (job.mode === "csv") {
  summary = writeDemoCsv(job.path, options);
} else {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(job.path + suffix, { force: true });
  const db = openStore(job.path);
  summary = generateDemoData(db, options);
  db.close(); // checkpoints the WAL into the database file
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ summary, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
