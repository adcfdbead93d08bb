import Database from "better-sqlite3"; import fs from "node:fs";
import { MEMBER_DATA } from "./dist/store/migrations/001-member-data.js";
try { fs.rmSync("/tmp/t6.db"); fs.rmSync("/tmp/t6.db-wal"); } catch {}
const db = new Database("/tmp/t6.db"); db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL"); db.pragma("cache_size = -65536"); db.pragma("temp_store = MEMORY");
db.exec(MEMBER_DATA);
fs.rmSync("/tmp/t6s.db", {force: true});
db.prepare("ATTACH DATABASE ? AS s").run("/tmp/t6s.db"); db.pragma("s.journal_mode = OFF"); db.pragma("s.synchronous = OFF");
db.exec("CREATE TABLE s.seen (order_id TEXT, sku TEXT, line INTEGER, existed INTEGER, PRIMARY KEY(order_id, sku)) WITHOUT ROWID");
const seen = db.prepare("INSERT OR IGNORE INTO s.seen (order_id, sku, line, existed) SELECT ?, ?, ?, EXISTS (SELECT 1 FROM purchases WHERE order_id = ? AND sku = ?)");
const up = db.prepare(`INSERT INTO purchases (order_id, sku, member_id, purchased_at, brand, category, quantity, amount) VALUES (?,?,?,?,?,?,?,?)
 ON CONFLICT (order_id, sku) DO UPDATE SET member_id=excluded.member_id, purchased_at=excluded.purchased_at, brand=excluded.brand, category=excluded.category, quantity=excluded.quantity, amount=excluded.amount
 WHERE member_id IS NOT excluded.member_id OR purchased_at IS NOT excluded.purchased_at OR brand IS NOT excluded.brand OR category IS NOT excluded.category OR quantity IS NOT excluded.quantity OR amount IS NOT excluded.amount`);
const mem = db.prepare("SELECT 1 FROM members WHERE id = ?").pluck();
const N = 1_000_000; const start = Date.UTC(2024,0,1);
for (let pass = 0; pass < 2; pass++) {
  if (pass === 1) db.exec("DELETE FROM s.seen");
  const t0 = performance.now();
  const tx = db.transaction((from) => { for (let i = from; i < from + 10000; i++) {
    const o = "O" + Math.floor(i/3), k = "SKU" + (i%3 + (i*13)%500);
    mem.get("M" + (i*7919%200000));
    const r = seen.run(o, k, i, o, k);
    if (r.changes === 0) continue;
    up.run(o, k, "M" + (i*7919%200000), start + i*37000, "Brand" + i%40, "Cat" + i%12, 1 + i%5, (i%997)/10);
  }});
  for (let i = 0; i < N; i += 10000) tx(i);
  const s = (performance.now()-t0)/1000; console.log("pass", pass, s.toFixed(2), Math.round(N/s));
}
