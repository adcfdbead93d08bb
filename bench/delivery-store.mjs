// Child process of the delivery benchmark: builds the store planning starts from — the members of a
// cached demo store (bench/out/audience-…db, shared with the audience benchmark) copied into a
// fresh store at the current schema. Only members are copied: the bench campaign reads nothing
// else, and copying purchases and point lots would cost minutes at 1M members. The last line of
// stdout is a JSON report.
//   node bench/delivery-store.mjs '{"demo":"…/audience-1000000-seed1-….db","path":"…/delivery-members-….db"}'
import { performance } from "node:perf_hooks";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const job = JSON.parse(process.argv[2] ?? "{}");
const { openStore } = await import(pathToFileURL(join(root, "packages/engine/dist/index.js")).href);

const start = performance.now();
for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(job.path + suffix, { force: true });
const db = openStore(job.path);
db.prepare("ATTACH DATABASE ? AS demo").run(job.demo);
const columnsOf = (schema) => db.prepare(`SELECT name FROM pragma_table_info('members', '${schema}')`).pluck().all();
// The demo store may be at an older schema: copy the columns both have.
const source = new Set(columnsOf("demo"));
const columns = columnsOf("main")
  .filter((c) => source.has(c))
  .join(", ");
const copied = db.prepare(`INSERT INTO main.members (${columns}) SELECT ${columns} FROM demo.members ORDER BY rowid`).run().changes;
db.exec("DETACH DATABASE demo");
db.close(); // checkpoints the WAL: the file alone is the store, ready to copy
console.log(
  JSON.stringify({ members: copied, seconds: (performance.now() - start) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
);
