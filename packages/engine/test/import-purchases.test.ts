import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ImportError, parseMapOptions } from "../src/import/index.js";
import { counts, csv, workspace } from "./fixtures/import/helpers.js";
import type { Workspace } from "./fixtures/import/helpers.js";

const HEADER = "member_id,purchased_at,order_id,sku,brand,category,quantity,amount";

async function withMembers(...ids: string[]): Promise<Workspace> {
  const w = workspace();
  w.file("members.csv", csv("id", ...ids));
  await w.run("members", "members.csv");
  return w;
}

/** The ImportError an import throws. */
async function failure(promise: Promise<unknown>): Promise<ImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error("the import did not fail");
}

describe("importing purchases", () => {
  it("imports order lines; a return is stored with a negative quantity and amount", async () => {
    const w = await withMembers("m1", "m2");
    w.file(
      "p.csv",
      csv(
        HEADER,
        "m1,2026-11-03T14:20:00+08:00,o1,s1,Olay,skincare,2,199.00",
        "m1,2026-11-03T14:20:00+08:00,o1,s2,,,1,0",
        "m2,2026-11-04,o2,s1,Olay,skincare,-1,199",
        "m2,2026-11-05,o3,s1,Olay,skincare,-1,-50",
      ),
    );
    const s = await w.run("purchases", "p.csv");
    expect(counts(s)).toEqual({ read: 4, inserted: 4, updated: 0, unchanged: 0, merged: 0, rejected: 0 });
    expect([s.returns, s.zeroAmount]).toEqual([2, 1]);
    expect(w.all("SELECT * FROM purchases ORDER BY order_id, sku")).toEqual([
      {
        order_id: "o1",
        sku: "s1",
        member_id: "m1",
        purchased_at: Date.parse("2026-11-03T06:20:00Z"),
        brand: "Olay",
        category: "skincare",
        quantity: 2,
        amount: 199,
      },
      {
        order_id: "o1",
        sku: "s2",
        member_id: "m1",
        purchased_at: Date.parse("2026-11-03T06:20:00Z"),
        brand: null,
        category: null,
        quantity: 1,
        amount: 0,
      },
      {
        order_id: "o2",
        sku: "s1",
        member_id: "m2",
        purchased_at: Date.parse("2026-11-03T16:00:00Z"),
        brand: "Olay",
        category: "skincare",
        quantity: -1,
        amount: -199,
      },
      {
        order_id: "o3",
        sku: "s1",
        member_id: "m2",
        purchased_at: Date.parse("2026-11-04T16:00:00Z"),
        brand: "Olay",
        category: "skincare",
        quantity: -1,
        amount: -50,
      },
    ]);
  });

  it("rejects malformed rows with their line and reason, and writes them beside the input", async () => {
    const w = await withMembers("m1");
    w.file(
      "p.csv",
      csv(
        HEADER,
        "m1,2026-11-03T14:20:00+08:00,o1,s1,,,1,10",
        "m1,2026-13-01,o2,s1,,,1,10",
        "ghost,2026-11-03,o3,s1,,,1,10",
        ",2026-11-03,o4,s1,,,1,10",
        "m1,2026-11-03,o5,s1,,,two,10",
        "m1,2026-11-03,o6,s1,,,1",
        "m1,2026-11-03,,s1,,,1,10",
        "m1,2026-11-03,o7,s1,,,0,10",
        "m1,2026-11-03,o8,s1,,,1,-10",
        'm1,2026-11-03,"o9"x,s1,,,1,10',
      ),
    );
    const s = await w.run("purchases", "p.csv", { rejectsShown: 100 });
    expect(counts(s)).toEqual({ read: 10, inserted: 1, updated: 0, unchanged: 0, merged: 0, rejected: 9 });
    expect(s.rejects.map((r) => `line ${r.line}: ${r.reason}`)).toEqual([
      'line 3: purchased_at "2026-13-01": not a date; expected ISO 8601 like 2026-11-03T14:20:00+08:00 or use --date-format',
      'line 4: unknown member "ghost" (member_id); import members first, or use --create-members',
      "line 5: member_id is empty: no member id",
      'line 6: quantity "two": not a number; expected a number like 12 or 4.50',
      "line 7: the row has 7 cells but the header has 8 columns",
      "line 8: order_id is empty: a value is required",
      "line 9: quantity is 0: a purchase has a positive quantity, a return a negative one",
      "line 10: amount is -10 on a sale (quantity 1): a negative amount needs a negative quantity (a return)",
      'line 11: malformed CSV: unexpected text "x" after the closing quote of field 3',
    ]);
    expect(s.rejectedByReason).toEqual({
      "bad-date": 1,
      "unknown-member": 1,
      "no-member-id": 1,
      "bad-number": 1,
      "column-count": 1,
      "missing-value": 1,
      "bad-value": 2,
      "malformed-csv": 1,
    });
    expect(s.rejectsFile).toBe(join(w.dir, "p.rejects.csv"));
    expect(w.read("p.rejects.csv").split("\n").slice(0, 3)).toEqual([
      `line,reason,${HEADER}`,
      '3,"purchased_at ""2026-13-01"": not a date; expected ISO 8601 like 2026-11-03T14:20:00+08:00 or use --date-format",m1,2026-13-01,o2,s1,,,1,10',
      '4,"unknown member ""ghost"" (member_id); import members first, or use --create-members",ghost,2026-11-03,o3,s1,,,1,10',
    ]);
  });

  it("creates bare members for unknown ids with createMembers", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv(HEADER, "m1,2026-11-03,o1,s1,,,1,10", "new1,2026-11-03,o2,s1,,,1,10", "new1,2026-11-04,o3,s1,,,1,10"));
    const s = await w.run("purchases", "p.csv", { createMembers: true });
    expect(counts(s)).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, merged: 0, rejected: 0 });
    expect(s.membersCreated).toBe(1);
    expect(w.all("SELECT id, name FROM members ORDER BY id")).toEqual([
      { id: "m1", name: null },
      { id: "new1", name: null },
    ]);
  });

  it("adds up rows of one order line within a file, rejects parts that disagree, and re-imports idempotently", async () => {
    const w = await withMembers("m1", "m2");
    w.file(
      "p.csv",
      csv(
        HEADER,
        "m1,2026-11-03T10:00,o1,s1,,,1,19.05",
        "m1,2026-11-03T10:00,o1,s2,,,1,5",
        "m1,2026-11-03T10:00,o1,s1,,,3,6.35",
        "m2,2026-11-03T10:00,o1,s1,,,1,1",
        "m1,2026-11-03T10:00,o1,s1,,,2,12.7",
      ),
    );
    const first = await w.run("purchases", "p.csv");
    expect(counts(first)).toEqual({ read: 5, inserted: 2, updated: 0, unchanged: 0, merged: 2, rejected: 1 });
    expect(first.rejects[0]?.reason).toBe(
      'order "o1" sku "s1" is also on line 2 with member_id "m1"; rows of one order line must agree on member_id, purchased_at, brand and category (their quantities and amounts are added up)',
    );
    expect(w.all("SELECT sku, quantity, amount FROM purchases ORDER BY sku")).toEqual([
      { sku: "s1", quantity: 6, amount: 38.1 },
      { sku: "s2", quantity: 1, amount: 5 },
    ]);
    const second = await w.run("purchases", "p.csv");
    expect(counts(second)).toEqual({ read: 5, inserted: 0, updated: 0, unchanged: 2, merged: 2, rejected: 1 });
    expect(w.all("SELECT sku, quantity, amount FROM purchases ORDER BY sku")).toEqual([
      { sku: "s1", quantity: 6, amount: 38.1 },
      { sku: "s2", quantity: 1, amount: 5 },
    ]);
    // A corrected file overwrites the order line.
    w.file("fixed.csv", csv(HEADER, "m1,2026-11-03T10:00,o1,s1,,,5,30"));
    expect(counts(await w.run("purchases", "fixed.csv"))).toEqual({
      read: 1,
      inserted: 0,
      updated: 1,
      unchanged: 0,
      merged: 0,
      rejected: 0,
    });
    expect(w.all("SELECT sku, quantity, amount FROM purchases ORDER BY sku")[0]).toEqual({ sku: "s1", quantity: 5, amount: 30 });
  });

  it("imports the same rows into an empty table (bulk) and into a filled one (batches) alike", async () => {
    const rows = Array.from(
      { length: 300 },
      (_, i) =>
        `m${i % 7},2026-11-${String(1 + (i % 28)).padStart(2, "0")}T10:00,o${Math.floor(i / 4)},s${i % 5},b${i % 3},c${i % 2},${1 + (i % 3)},${i}.5`,
    );
    const ids = Array.from({ length: 7 }, (_, i) => `m${i}`);
    const bulk = await withMembers(...ids);
    bulk.file("p.csv", csv(HEADER, ...rows));
    const a = await bulk.run("purchases", "p.csv");
    const batched = await withMembers(...ids);
    batched.file("seed.csv", csv(HEADER, "m0,2020-01-01,seed,s0,,,1,1"));
    await batched.run("purchases", "seed.csv");
    batched.file("p.csv", csv(HEADER, ...rows));
    const b = await batched.run("purchases", "p.csv");
    expect(counts(a)).toEqual(counts(b));
    const all = "SELECT * FROM purchases WHERE order_id <> 'seed' ORDER BY order_id, sku";
    expect(batched.all(all)).toEqual(bulk.all(all));
    // The indexes dropped for the bulk load are back.
    const indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'purchases' ORDER BY name";
    expect(bulk.all(indexes)).toEqual(batched.all(indexes));
    expect(bulk.all(indexes)).toHaveLength(3); // UNIQUE (order_id, sku), member_time, time
  });

  it("keeps the indexes whole whatever order the rows of a bulk load come in", async () => {
    // By member, by time, and by member until a row breaks the order (the index kept so far is
    // then dropped and built at the end).
    const byMember = Array.from({ length: 400 }, (_, i) => ({ m: `m${Math.floor(i / 50)}`, day: 1 + (i % 28), i }));
    const byTime = [...byMember].sort((a, b) => a.day - b.day || a.i - b.i);
    const broken = [...byMember.slice(0, 200), ...byMember.slice(0, 200).map((r) => ({ ...r, i: r.i + 1000 }))];
    for (const rows of [byMember, byTime, broken]) {
      const w = await withMembers(...Array.from({ length: 8 }, (_, i) => `m${i}`));
      const lines = rows.map((r) => `${r.m},2026-11-${String(r.day).padStart(2, "0")}T10:00,o${r.i},s1,b${r.i % 3},c${r.i % 2},1,${r.i}`);
      w.file("p.csv", csv(HEADER, ...lines));
      expect((await w.run("purchases", "p.csv")).inserted).toBe(rows.length);
      expect(w.all("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
      const perMember =
        "SELECT member_id, count(*) AS n, sum(amount) AS total FROM purchases INDEXED BY purchases_member_time WHERE member_id > '' GROUP BY member_id ORDER BY member_id";
      expect(w.all(perMember)).toEqual(
        w.all("SELECT member_id, count(*) AS n, sum(amount) AS total FROM purchases NOT INDEXED GROUP BY member_id ORDER BY member_id"),
      );
      const inWindow = (index: string): unknown[] =>
        w.all(
          `SELECT order_id FROM purchases ${index} WHERE purchased_at > ? AND brand = 'b1' ORDER BY order_id`,
          Date.parse("2026-11-10T00:00Z"),
        );
      expect(inWindow("INDEXED BY purchases_time")).toEqual(inWindow("NOT INDEXED"));
    }
  });

  it("reads BOM, CRLF, quoted commas and line breaks, and reports the line a row starts on", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", `\uFEFF${HEADER}\r\nm1,2026-11-03,o1,s1,"Head, Shoulders","hair\r\ncare",1,10\r\nm1,2026-11-03,o2,s1,,,x,10\r\n`);
    const s = await w.run("purchases", "p.csv");
    expect(counts(s)).toEqual({ read: 2, inserted: 1, updated: 0, unchanged: 0, merged: 0, rejected: 1 });
    expect(s.rejects[0]?.line).toBe(4);
    expect(w.all("SELECT brand, category FROM purchases")).toEqual([{ brand: "Head, Shoulders", category: "hair\r\ncare" }]);
  });

  it("maps foreign columns, computes a product in decimal, and reads --date-format", async () => {
    const w = await withMembers("17850");
    w.file(
      "shop.csv",
      csv(
        "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID",
        "536365,85123A,6,12/1/10 8:26,2.55,17850",
        "536366,85123A,6,13/1/10 8:26,2.55,17850",
      ),
    );
    const s = await w.run("purchases", "shop.csv", {
      map: parseMapOptions([
        "InvoiceNo=order_id",
        "StockCode=sku",
        "CustomerID=member_id",
        "InvoiceDate=purchased_at",
        "Quantity=quantity",
        "Quantity*UnitPrice=amount",
      ]),
      dateFormat: "M/d/yy H:mm",
      timezone: "Europe/London",
    });
    expect(counts(s)).toEqual({ read: 2, inserted: 1, updated: 0, unchanged: 0, merged: 0, rejected: 1 });
    expect(s.rejects[0]?.reason).toBe(
      'InvoiceDate (as purchased_at) "13/1/10 8:26": not a date; expected the format "M/d/yy H:mm" (--date-format) or ISO 8601 like 2026-11-03T14:20:00+08:00',
    );
    expect(s.ignoredColumns).toEqual(["UnitPrice"]);
    expect(w.all("SELECT * FROM purchases")).toEqual([
      {
        order_id: "536365",
        sku: "85123A",
        member_id: "17850",
        purchased_at: Date.parse("2010-12-01T08:26:00Z"),
        brand: null,
        category: null,
        quantity: 6,
        amount: 15.3,
      },
    ]);
  });

  it("stops before any row on a missing required column, naming the columns the file has", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv("member_id,purchase_at,order,sku,quantity,amount", "m1,2026-11-03,o1,s1,1,10"));
    const e = await failure(w.run("purchases", "p.csv"));
    expect(e.code).toBe("missing-column");
    expect(e.message).toBe(
      'the file has no "purchased_at", "order_id" columns (required for purchases); its columns are: member_id, purchase_at, order, sku, quantity, amount',
    );
    expect(e.help).toBe(
      'did you mean "purchase_at"? (--map purchase_at=purchased_at); map a column of the file with --map SOURCE=purchased_at; the purchases columns are member_id, purchased_at, order_id, sku, brand, category, quantity, amount',
    );
    expect(w.all("SELECT count(*) AS n FROM purchases")).toEqual([{ n: 0 }]);
  });

  it("stops on a --map naming a column the file does not have, or a target purchases do not have", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv("CustomerID,purchased_at,order_id,sku,quantity,amount"));
    const a = await failure(w.run("purchases", "p.csv", { map: { CustomerId: "member_id", Customer: "x" } }));
    expect(a.message).toBe('--map Customer=x: purchases have no column "x"');
    const b = await failure(w.run("purchases", "p.csv", { map: { CustomerI: "member_id" } }));
    expect(b.message).toBe('--map CustomerI=member_id: the file has no column "CustomerI"; did you mean "CustomerID"?');
    const c = await failure(w.run("purchases", "p.csv", { map: { CustomerID: "memberid" } }));
    expect(c.message).toBe('--map CustomerID=memberid: purchases have no column "memberid"; did you mean "member_id"?');
    const d = await failure(w.run("purchases", "p.csv", { map: { CustomerID: "member_id", sku: "order_id" } }));
    expect(d.message).toBe('--map sku=order_id: the file already has a column "order_id"');
    // A case-insensitive match of a source is accepted.
    const ok = await w.run("purchases", "p.csv", { map: { customerid: "member_id" } });
    expect(ok.read).toBe(0);
    expect(() => parseMapOptions(["CustomerID"])).toThrow('--map "CustomerID": expected SOURCE=TARGET');
  });

  it("stops on an empty file, and a file of blank lines", async () => {
    const w = workspace();
    w.file("empty.csv", "");
    w.file("blank.csv", "\n\n");
    for (const name of ["empty.csv", "blank.csv"]) {
      const e = await failure(w.run("purchases", name));
      expect(e.code).toBe("empty-file");
      expect(e.message).toBe(`${join(w.dir, name)} is empty: there is no header row`);
    }
    const e = await failure(w.run("purchases", "missing.csv"));
    expect(e.code).toBe("unreadable-file");
  });

  it("writes no rejects file when nothing is rejected, and removes a stale one", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv(HEADER, "m1,2026-11-03,o1,s1,,,1,10", "m1,nope,o2,s1,,,1,10"));
    expect((await w.run("purchases", "p.csv")).rejectsFile).toBe(join(w.dir, "p.rejects.csv"));
    w.file("p.csv", csv(HEADER, "m1,2026-11-03,o1,s1,,,1,10"));
    expect((await w.run("purchases", "p.csv")).rejectsFile).toBeNull();
    expect(existsSync(join(w.dir, "p.rejects.csv"))).toBe(false);
  });

  it("reports progress", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv(HEADER, "m1,2026-11-03,o1,s1,,,1,10", "m1,2026-11-03,o2,s1,,,1,10"));
    const seen: number[] = [];
    await w.run("purchases", "p.csv", { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(2);
  });

  it("accepts a header ending in commas, and rows with trailing empty cells", async () => {
    const w = await withMembers("m1");
    w.file("p.csv", csv(`${HEADER},,`, "m1,2026-11-03,o1,s1,,,1,10", "m1,2026-11-03,o2,s1,,,1,10,,", "m1,2026-11-03,o3,s1,,,1,10,,x"));
    const s = await w.run("purchases", "p.csv");
    expect(counts(s)).toEqual({ read: 3, inserted: 2, updated: 0, unchanged: 0, merged: 0, rejected: 1 });
    expect(s.rejects[0]?.reason).toBe("the row has 10 cells but the header has 8 columns");
    expect(s.ignoredColumns).toEqual([]);
  });

  it("leaves an empty table as it was when a bulk load fails midway, and keeps committed batches otherwise", async () => {
    const rows = Array.from({ length: 45_000 }, (_, i) => `m1,2026-11-03,o${i},s1,,,1,10`);
    const bad = Buffer.concat([Buffer.from(csv(HEADER, ...rows)), Buffer.from([0x6d, 0x31, 0xff, 0x0a])]);
    const bulk = await withMembers("m1");
    bulk.file("p.csv", bad);
    expect((await failure(bulk.run("purchases", "p.csv"))).code).toBe("not-utf8");
    expect(bulk.all("SELECT count(*) AS n FROM purchases")).toEqual([{ n: 0 }]);
    expect(bulk.all("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'purchases'")).toEqual([{ n: 3 }]);
    expect(bulk.all("PRAGMA database_list").map((d) => (d as { name: string }).name)).toEqual(["main"]);

    const batched = await withMembers("m1");
    batched.file("seed.csv", csv(HEADER, "m1,2020-01-01,seed,s0,,,1,1"));
    await batched.run("purchases", "seed.csv");
    batched.file("p.csv", bad);
    expect((await failure(batched.run("purchases", "p.csv"))).code).toBe("not-utf8");
    const [{ n }] = batched.all<{ n: number }>("SELECT count(*) AS n FROM purchases") as [{ n: number }];
    expect(n).toBeGreaterThan(1);
  });
});
