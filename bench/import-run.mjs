// Child process of the audience benchmark: imports generated members.csv, purchases.csv and
// points.csv into a fresh store with the importer, timing each file. The last line of stdout is
// a JSON report (rows, seconds, CPU seconds of this process (all its threads) and rows/s per
// file, peak RSS of this process, the load average at the end).
//   node bench/import-run.mjs '{"dir":"…","db":"…"}'
import { performance } from "node:perf_hooks";
import { existsSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const job = JSON.parse(process.argv[2] ?? "{}");

const importerFile = join(root, "packages/engine/dist/import/index.js");
if (!existsSync(importerFile)) {
  throw new Error(
    `the importer is not built: ${importerFile} does not exist (run npx tsc -b; is packages/engine/src/import/index.ts written?)`,
  );
}
const importer = await import(pathToFileURL(importerFile).href);
if (typeof importer.importCsv !== "function") throw new Error(`${importerFile} exports no importCsv(db, options)`);
const { openStore } = await import(pathToFileURL(join(root, "packages/engine/dist/store/store.js")).href);
const { DEMO_BUSINESS } = await import(pathToFileURL(join(root, "packages/engine/dist/demo/index.js")).href);

for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(job.db + suffix, { force: true });
const db = openStore(job.db);
const config = { timezone: DEMO_BUSINESS.timezone, tiers: DEMO_BUSINESS.tiers, members: { fields: DEMO_BUSINESS.fields } };
const files = {};
for (const kind of ["members", "purchases", "points"]) {
  const file = join(job.dir, `${kind}.csv`);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const summary = await importer.importCsv(db, { kind, file, config, rejectsFile: join(job.dir, `${kind}.rejects.csv`) });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rejected = summary.rejected ?? 0;
  files[kind] = { read: summary.read, inserted: summary.inserted, rejected, seconds, cpuSeconds, rowsPerSecond: summary.read / seconds };
  process.stderr.write(
    `  ${kind}: ${summary.read.toLocaleString("en")} rows in ${seconds.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s), ${rejected} rejected\n`,
  );
}
db.close();
console.log(JSON.stringify({ files, maxRssMb: process.resourceUsage().maxRSS / 1024, loadAverage: loadavg() }));
