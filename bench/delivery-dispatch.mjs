// Child process of the delivery benchmark: builds a store whose outbox holds `rows` queued messages
// of one run — real planned content, copied from the planning's outbox (its SMS rows, repeated
// under new member ids when there are fewer) — and sends them with the dispatcher through
// HttpBenchChannel to the benchmark's no-op HTTP server. The last line of stdout is a JSON report.
//   node bench/delivery-dispatch.mjs '{"planned":"…","db":"…","rows":20000,"url":"http://127.0.0.1:…/","concurrency":16,"ratePerSecond":500}'
import { performance } from "node:perf_hooks";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HttpBenchChannel } from "./delivery-channel.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const job = JSON.parse(process.argv[2] ?? "{}");
const { openStore, dispatch } = await import(pathToFileURL(join(root, "packages/engine/dist/index.js")).href);

for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(job.db + suffix, { force: true });
const db = openStore(job.db);
const runId = Number(
  db
    .prepare(
      "INSERT INTO runs (campaign, slot, as_of, file, state, started_at, planned_at) VALUES ('dispatch-bench', 0, 0, 'bench', 'planned', 0, 0)",
    )
    .run().lastInsertRowid,
);
db.prepare("ATTACH DATABASE ? AS planned").run(job.planned);
const source = db
  .prepare(
    "SELECT member_id, message, address, content FROM planned.outbox WHERE decision = 'send' AND channel = 'sms' ORDER BY id LIMIT ?",
  )
  .all(job.rows);
db.exec("DETACH DATABASE planned");
if (source.length === 0) throw new Error(`${job.planned} holds no planned SMS to send`);
const insert = db.prepare(
  `INSERT INTO outbox (run_id, member_id, action, decision, planned_for, zone, channel, message, address, content, state, not_before)
   VALUES (?, ?, 0, 'send', 0, ?, 'sms', ?, ?, ?, 'queued', 0)`,
);
db.transaction(() => {
  for (let i = 0; i < job.rows; i++) {
    const row = source[i % source.length];
    const round = Math.floor(i / source.length);
    insert.run(runId, round === 0 ? row.member_id : `${row.member_id}#${round}`, row.zone, row.message, row.address, row.content);
  }
})();

const channel = new HttpBenchChannel({
  name: "sms",
  url: job.url,
  concurrency: job.concurrency,
  ...(job.ratePerSecond ? { ratePerSecond: job.ratePerSecond } : {}),
});
// Quiet hours are checked at send time in each row's zone, as `patron run` does with the demo
// business's 21:00–09:00; here an hour that is not now in any of the rows' zones, so all is sent.
const quietHours = quietHoursNotNow(db.prepare("SELECT DISTINCT coalesce(zone, 'UTC') FROM outbox").pluck().all());
const start = performance.now();
const cpuStart = process.cpuUsage();
const summary = await dispatch({ db, channels: new Map([["sms", channel]]), runIds: [runId], quietHours });
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
await channel.close();
const states = Object.fromEntries(db.prepare("SELECT state, count(*) AS n FROM outbox GROUP BY state").raw().all());
db.close();
for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(job.db + suffix, { force: true });
console.log(
  JSON.stringify({
    rows: job.rows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    summary,
    states,
    quietHours,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

/** One hour of quiet that starts at least an hour from now and ends at least an hour before now, in every zone. */
function quietHoursNotNow(zones) {
  const nowMinutes = zones.map((zone) => {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts();
    const value = (type) => Number(parts.find((p) => p.type === type)?.value);
    return value("hour") * 60 + value("minute");
  });
  for (let from = 0; from < 24 * 60; from += 15) {
    const clear = nowMinutes.every((now) => {
      const after = (now - from + 24 * 60) % (24 * 60); // minutes from the quiet hour's start to now
      return after >= 120 && after <= 24 * 60 - 60;
    });
    if (clear)
      return {
        from: { hour: Math.floor(from / 60), minute: from % 60 },
        until: { hour: Math.floor(from / 60) + 1 === 24 ? 0 : Math.floor(from / 60) + 1, minute: from % 60 },
      };
  }
  throw new Error(`no hour of the day is clear of now in every zone of the bench rows: ${zones.join(", ")}`);
}
