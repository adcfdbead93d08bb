import fs from "node:fs";
const n = Number(process.argv[2]); const out = fs.createWriteStream(process.argv[3]);
out.write("member_id,purchased_at,order_id,sku,brand,category,quantity,amount\n");
let buf = [];
const start = Date.UTC(2024,0,1);
for (let i = 0; i < n; i++) {
  const m = "M" + (i * 7919 % 200000);
  const t = new Date(start + i * 37_000).toISOString().slice(0,19) + "+08:00";
  buf.push(`${m},${t},O${Math.floor(i/3)},SKU${i%3 + (i*13)%500},Brand${i%40},Cat${i%12},${1+i%5},${((i%997)/10).toFixed(2)}`);
  if (buf.length === 10000) { out.write(buf.join("\n") + "\n"); buf = []; }
}
out.write(buf.join("\n") + (buf.length ? "\n" : "")); out.end();
