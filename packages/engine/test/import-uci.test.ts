import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseMapOptions, summaryText } from "../src/import/index.js";
import { counts, workspace } from "./fixtures/import/helpers.js";

/*
 * The real, messy UCI "Online Retail" sample (examples/datasets/README.md): 28,492 rows, of which
 * 10,003 have no CustomerID, 418 are cancellations (32 of them anonymous), 67 are other negative
 * quantities (all anonymous), 185 have a UnitPrice of 0 (one with a customer); 713 customers.
 * Among the rows with a customer, 733 repeat an (InvoiceNo, StockCode) pair of the same invoice.
 * The mapping is the one docs/import.md gives.
 */
// shared/ sits beside the repository (here and in CI).
const SAMPLE = fileURLToPath(new URL("../../../examples/datasets/online-retail-uci-sample.csv", import.meta.url));
const MAP = [
  "InvoiceNo=order_id",
  "StockCode=sku",
  "CustomerID=member_id",
  "InvoiceDate=purchased_at",
  "Quantity=quantity",
  "Quantity*UnitPrice=amount",
];

describe("the UCI online retail sample", () => {
  it("imports with the documented mapping; anonymous rows are rejected and counted; a second import changes nothing", async () => {
    const w = workspace();
    const file = join(w.dir, "online-retail.csv");
    copyFileSync(SAMPLE, file);
    const options = { map: parseMapOptions(MAP), dateFormat: "M/d/yy H:mm", timezone: "Europe/London", createMembers: true };

    const first = await w.run("purchases", "online-retail.csv", options);
    expect(counts(first)).toEqual({ read: 28_492, inserted: 17_756, updated: 0, unchanged: 0, merged: 733, rejected: 10_003 });
    expect(first.rejectedByReason).toEqual({ "no-member-id": 10_003 });
    expect(first.returns).toBe(418 - 32);
    expect(first.zeroAmount).toBe(1);
    expect(first.membersCreated).toBe(713);
    expect(first.ignoredColumns).toEqual(["Description", "UnitPrice", "Country", "TotalPrice"]);
    expect(first.rejects[0]).toEqual({ line: 624, code: "no-member-id", reason: "CustomerID (as member_id) is empty: no member id" });
    expect(first.rejectsFile).toBe(join(w.dir, "online-retail.rejects.csv"));
    expect(w.read("online-retail.rejects.csv").split("\n").slice(0, 2)).toEqual([
      "line,reason,InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,TotalPrice",
      "624,CustomerID (as member_id) is empty: no member id,536414,22139,,56,12/1/10 11:52,0,,United Kingdom,0",
    ]);

    const stats =
      "SELECT count(*) AS lines, count(DISTINCT member_id) AS members, sum(quantity < 0) AS returns, round(sum(amount), 2) AS net, min(purchased_at) AS first FROM purchases";
    const before = w.all(stats);
    expect(before).toEqual([{ lines: 17_756, members: 713, returns: 369, net: 368_427.3, first: Date.parse("2010-12-01T08:26:00Z") }]);
    // Amounts are the exact decimal products: they add up to the sample's own TotalPrice column.
    expect(w.all("SELECT amount FROM purchases WHERE order_id = '536365' AND sku = '85123A'")).toEqual([{ amount: 15.3 }]);
    // Cancellations are returns: negative quantity and amount.
    expect(w.all("SELECT count(*) AS n FROM purchases WHERE order_id LIKE 'C%' AND (quantity >= 0 OR amount > 0)")).toEqual([{ n: 0 }]);

    const second = await w.run("purchases", "online-retail.csv", options);
    expect(counts(second)).toEqual({ read: 28_492, inserted: 0, updated: 0, unchanged: 17_756, merged: 733, rejected: 10_003 });
    expect(second.membersCreated).toBe(0);
    expect(w.all(stats)).toEqual(before);
    expect(w.all("SELECT count(*) AS n FROM members")).toEqual([{ n: 713 }]);

    expect(summaryText(second).split("\n").slice(1, 8)).toEqual([
      "  read      28,492",
      "  inserted       0",
      "  updated        0",
      "  unchanged 17,756",
      "  merged       733  rows added into an earlier row with the same order_id and sku",
      `  rejected  10,003  written to ${join(w.dir, "online-retail.rejects.csv")}`,
      "    10,003  no member id",
    ]);
  });
});
