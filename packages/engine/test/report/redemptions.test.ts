import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ImportError } from "../../src/import/types.js";
import { importRedemptions, redemptionSummaryText } from "../../src/report/redemptions.js";
import type { Db } from "../../src/store/store.js";
import { memoryStore } from "../support/store.js";
import { at, writeReportFixture, ZONE } from "./fixture.js";

// Redemptions CSV into coupon_redemptions: the codes are the fixture's (HS-M08 … HS-M20 issued to
// m08 … m20 on 2026-12-05 09:30, HS-M22 and HS-M23 on 2026-12-12 09:30).

function fixture(): { db: Db; dir: string } {
  const db = memoryStore();
  writeReportFixture(db);
  return { db, dir: mkdtempSync(join(tmpdir(), "patron-redemptions-")) };
}

function csv(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const rows = (db: Db): unknown[] => db.prepare("SELECT code, redeemed_at, order_id, source FROM coupon_redemptions ORDER BY code").all();

describe("importing redemptions", () => {
  const FILE = [
    "Code,Redeemed_At,member_id,order_id,store",
    "HS-M08,2026-12-06T10:00,m08,O-1,S01", // recorded (business zone)
    "HS-M09,2026-12-07T10:00+08:00,,,S01", // recorded (offset given, no member, no order)
    "HS-M09,2026-12-07T10:00+08:00,,,S01", // the same again: unchanged
    "HS-M10,2026-12-08T10:00,m11,,S02", // issued to m08's neighbour m10, not m11
    "HS-NOPE,2026-12-08T10:00,,,S02", // never issued
    "HS-M12,2026-12-04T10:00,,,S02", // before it was issued
    "HS-M08,2026-12-09T10:00,,,S01", // a second, different redemption of a code
    "HS-M13,yesterday,,,S01", // not a date
    ",2026-12-08T10:00,,,S01", // no code
    "",
    'HS-M14,"2026-12-08T10:00",m14,O-2,S03', // recorded (quoted)
  ].join("\n");

  it("records issued codes and rejects every other row with its line and reason", async () => {
    const { db, dir } = fixture();
    const file = csv(dir, "redemptions.csv", FILE);
    const summary = await importRedemptions(db, { file, timezone: ZONE, now: 0 });
    expect(summary).toMatchObject({
      read: 10,
      inserted: 3,
      unchanged: 1,
      rejected: 6,
      rejectedByReason: {
        "wrong-member": 1,
        "unknown-code": 1,
        "before-issue": 1,
        "already-redeemed": 1,
        "bad-date": 1,
        "missing-value": 1,
      },
      ignoredColumns: ["store"],
      rejectsFile: join(dir, "redemptions.rejects.csv"),
    });
    expect(summary.rejects).toEqual([
      { line: 5, code: "wrong-member", reason: 'code "HS-M10" was issued to member m10, not m11' },
      { line: 6, code: "unknown-code", reason: 'code "HS-NOPE" was not issued by Patron (no such code in any run)' },
      { line: 7, code: "before-issue", reason: 'code "HS-M12" was issued at 2026-12-05T09:30:00+08:00, after this redemption' },
      { line: 8, code: "already-redeemed", reason: 'code "HS-M08" was already redeemed at 2026-12-06T10:00:00+08:00' },
      {
        line: 9,
        code: "bad-date",
        reason: 'redeemed_at "yesterday" is not a date: expected ISO 8601 like 2026-11-03T14:20:00+08:00 or use --date-format',
      },
      { line: 10, code: "missing-value", reason: "code is empty" },
    ]);
    expect(rows(db)).toEqual([
      { code: "HS-M08", redeemed_at: at("2026-12-06T10:00"), order_id: "O-1", source: "redemptions.csv" },
      { code: "HS-M09", redeemed_at: at("2026-12-07T10:00"), order_id: null, source: "redemptions.csv" },
      { code: "HS-M14", redeemed_at: at("2026-12-08T10:00"), order_id: "O-2", source: "redemptions.csv" },
    ]);
    const rejects = readFileSync(join(dir, "redemptions.rejects.csv"), "utf8").split("\n");
    expect(rejects[0]).toBe("line,reason,Code,Redeemed_At,member_id,order_id,store");
    expect(rejects[1]).toBe('5,"code ""HS-M10"" was issued to member m10, not m11",HS-M10,2026-12-08T10:00,m11,,S02');
    expect(redemptionSummaryText(summary, "redemptions.csv").split("\n")[0]).toBe(
      `redemptions from redemptions.csv: 10 read, 3 recorded, 1 already recorded, 6 rejected (written to ${join(dir, "redemptions.rejects.csv")})`,
    );
  });

  it("changes nothing when the same file is imported again", async () => {
    const { db, dir } = fixture();
    const file = csv(dir, "redemptions.csv", FILE);
    await importRedemptions(db, { file, timezone: ZONE, now: 0 });
    const before = rows(db);
    const again = await importRedemptions(db, { file, timezone: ZONE, now: 1 });
    expect(again).toMatchObject({ read: 10, inserted: 0, unchanged: 4, rejected: 6 });
    expect(rows(db)).toEqual(before);
  });

  it("stops with a message naming the fix when a column is missing or the file is empty", async () => {
    const { db, dir } = fixture();
    await expect(importRedemptions(db, { file: csv(dir, "a.csv", "code,when\nHS-M08,2026-12-06\n"), timezone: ZONE })).rejects.toThrow(
      new ImportError(
        "missing-column",
        "the redemptions file has no redeemed_at column (its columns: code, when)",
        "a redemptions file has the columns code,redeemed_at and optionally member_id,order_id",
      ),
    );
    await expect(importRedemptions(db, { file: csv(dir, "b.csv", ""), timezone: ZONE })).rejects.toThrow(
      /is empty: there is no header row/,
    );
    expect(rows(db)).toEqual([]);
  });

  it("writes no rejects file for a clean import, and removes a stale one", async () => {
    const { db, dir } = fixture();
    writeFileSync(join(dir, "clean.rejects.csv"), "stale");
    const summary = await importRedemptions(db, { file: csv(dir, "clean.csv", "code,redeemed_at\nHS-M20,2026-12-07\n"), timezone: ZONE });
    expect(summary).toMatchObject({ read: 1, inserted: 1, rejected: 0, rejectsFile: null });
    expect(existsSync(join(dir, "clean.rejects.csv"))).toBe(false);
  });
});
