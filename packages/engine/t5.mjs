import fs from "node:fs"; import { parse } from "csv-parse";
async function run(label, opts) {
const t0 = performance.now(); let n = 0;
const p = fs.createReadStream("/tmp/p1m.csv", {highWaterMark: 1<<20}).pipe(parse(opts));
p.on("readable", () => { let r; while ((r = p.read()) !== null) n++; });
await new Promise(res => p.on("end", res));
const s = (performance.now()-t0)/1000; console.log(label, n, s.toFixed(2), Math.round(n/s));
}
await run("plain", {});
await run("info", {info: true});
await run("bom", {bom: true});
await run("relax", {relax_column_count: true, relax_quotes: true});
await run("skip", {skip_empty_lines: true, skip_records_with_error: true});
