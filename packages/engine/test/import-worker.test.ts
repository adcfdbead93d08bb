import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
// The built importer: its reading side runs in a worker thread (dist/import/import-worker.js),
// which the TypeScript sources the other tests import do not have.
import { importCsvReading } from "../dist/import/import-csv.js";
import type { Reading } from "../dist/import/row-source.js";
import { ImportError } from "../dist/import/types.js";
import type { ImportKind, ImportOptions, ImportSummary } from "../src/import/index.js";
import { openStore } from "../src/store/store.js";
import type { Db } from "../src/store/store.js";
import { CONFIG, csv } from "./fixtures/import/helpers.js";

const PURCHASES = "member_id,purchased_at,order_id,sku,brand,category,quantity,amount";

const open: { dir: string; db: Db }[] = [];
afterEach(() => {
  for (const w of open.splice(0)) {
    w.db.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

/** A store and a folder, importing with the given reading. */
function store(reading: Reading): {
  readonly dir: string;
  readonly db: Db;
  run(kind: ImportKind, name: string, options?: Partial<ImportOptions>): Promise<ImportSummary>;
} {
  const dir = mkdtempSync(join(tmpdir(), `patron-import-${reading}-`));
  const db = openStore(join(dir, "patron.db"));
  open.push({ dir, db });
  return {
    dir,
    db,
    run: (kind, name, options = {}) => importCsvReading(db, { kind, file: join(dir, name), config: CONFIG, ...options }, reading),
  };
}

/** What an import did and left, but for where and how long. */
function outcome(s: ImportSummary, dir: string, db: Db): unknown {
  const { elapsedMs: _elapsed, file: _file, rejectsFile, ...rest } = s;
  return {
    summary: rest,
    rejects: rejectsFile === null ? null : readFileSync(rejectsFile, "utf8"),
    members: db.prepare("SELECT rowid, * FROM members ORDER BY rowid").all(),
    purchases: db.prepare("SELECT rowid, * FROM purchases ORDER BY rowid").all(),
    lots: db.prepare("SELECT rowid, * FROM point_lots ORDER BY rowid").all(),
    optOuts: db.prepare("SELECT member_id, channel, detail FROM opt_outs ORDER BY rowid").all(),
    indexes: db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").pluck().all(),
    dir: existsSync(dir),
  };
}

/** Runs the same imports (each step's files written first) with both readings and compares each step. */
async function sameBothWays(
  steps: readonly { files: Record<string, string | Buffer>; kind: ImportKind; file: string; options?: Partial<ImportOptions> }[],
) {
  const worker = store("worker");
  const thread = store("thread");
  const results: unknown[] = [];
  for (const step of steps) {
    const done: unknown[] = [];
    for (const w of [worker, thread]) {
      for (const [name, text] of Object.entries(step.files)) writeFileSync(join(w.dir, name), text);
      done.push(outcome(await w.run(step.kind, step.file, step.options), w.dir, w.db));
    }
    expect(done[0]).toEqual(done[1]);
    results.push(done[0]);
  }
  return results;
}

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/**
 * Over 2 MiB of purchases (several chunks of the file, so several batches), with what the
 * reading side and the store reject, parts of order lines (merged, or in conflict), quoted
 * cells with commas and line breaks, blank lines, CRLF, more skus than a dictionary holds, and
 * a member the store does not know on some rows of later batches.
 */
function manyPurchases(rows: number): { text: string; ghosts: Map<string, string[]> } {
  const next = random(7);
  const lines = [PURCHASES];
  const ghosts = new Map<string, string[]>(); // unknown member → the cells of its row
  for (let i = 0; i < rows; i++) {
    const r = next();
    const member = r < 0.02 ? `ghost${i}` : `m${Math.floor(i / 7) % 300}`;
    const day = String(1 + (i % 28)).padStart(2, "0");
    const at = r > 0.995 ? "2026-13-01" : `2026-02-${day}T${String(i % 24).padStart(2, "0")}:15:00+08:00`;
    const brand = i % 53 === 0 ? `"Brand, ""${i % 5}""\nsecond line"` : `Brand${i % 11}`;
    const quantity = r > 0.99 && r <= 0.995 ? "0" : String(1 + (i % 3));
    const row = `${member},${at},o${Math.floor(i / 3)},sku${(i * 7) % 1500},${brand},cat${i % 4},${quantity},${(i % 997) / 10}`;
    if (member.startsWith("ghost") && !brand.startsWith('"')) ghosts.set(member, row.split(","));
    lines.push(i % 41 === 0 ? `${row}\r` : row);
    if (i % 97 === 0) lines.push(row); // a second part of the same order line: merged
    if (i % 211 === 0) lines.push(row.replace(`cat${i % 4}`, "other")); // a part that disagrees: conflict
    if (i % 389 === 0) lines.push("");
  }
  return { text: csv(...lines), ghosts };
}

describe("the reading side in a worker thread", () => {
  it("imports purchases of many batches exactly as when it reads in the importer's thread", async () => {
    const members = csv("id", ...Array.from({ length: 300 }, (_, i) => `m${i}`));
    const { text, ghosts } = manyPurchases(40_000);
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const [, bulk, again] = (await sameBothWays([
      { files: { "members.csv": members }, kind: "members", file: "members.csv" },
      { files: { "p.csv": text }, kind: "purchases", file: "p.csv", options: { rejectsShown: 100_000 } },
      { files: {}, kind: "purchases", file: "p.csv" },
    ])) as { summary: ImportSummary; rejects: string }[];
    const s = (bulk as { summary: ImportSummary }).summary;
    expect(s.merged).toBeGreaterThan(300);
    expect(s.rejectedByReason["unknown-member"]).toBeGreaterThan(500);
    expect(s.rejectedByReason.conflict).toBeGreaterThan(100);
    expect(s.rejectedByReason["bad-date"]).toBeGreaterThan(50);
    // Rows the store rejected, in every batch, are written with their cells as the file has them.
    const written = parse((bulk as { rejects: string }).rejects) as string[][];
    const unknown = written.filter((r) => r[2]?.startsWith("ghost") && ghosts.has(r[2]));
    expect(unknown.length).toBeGreaterThan(500);
    expect(Number(unknown.at(-1)?.[0])).toBeGreaterThan(30_000);
    for (const r of unknown) expect(r.slice(2)).toEqual(ghosts.get(r[2] as string));
    expect((again as { summary: ImportSummary }).summary.unchanged).toBe(s.inserted);
  });

  it("imports members and point lots exactly as when it reads in the importer's thread", async () => {
    const header = "id,name,tier,consent_sms,gender,birthday,joined_at,timezone,email,points,vip_store,skin_type,newsletter,store_code";
    const members = csv(
      header,
      "m1,Ann,gold,yes,f,1990-05-04,2024-01-02T10:00:00,Asia/Shanghai,ann@example.com,10,3,dry,true,SH01",
      "m2,Bo,Golden,no,m,,,,,,,,,",
      "m3, Cy ,silver,1,x,1985-02-30,,Europe/London,,5,,oily,no,",
      "m4,Di,platinum,0,o,,2024-02-01,,,,,greasy,,BJ02",
      "m1,Ann again,,,,,,,,,,,,",
      '"m5","Eve, ""E""",,,,,,,,,,,,',
      "m6,,,,,,,,,,,,,,x",
    );
    const changed = csv(header, "m1,Ann,gold,no,f,1990-05-04,2024-01-02T10:00:00,Asia/Shanghai,ann@example.com,10,4,combination,,SH09");
    const lots = csv(
      "member_id,points,earned_at,expires_at",
      "m1,100,2026-01-01,2026-12-31T23:59:59",
      "m1,50,2026-02-01,",
      "m1,50,2026-02-01,",
      "m4,10,2026-03-01,2026-02-01",
      "m9,10,2026-03-01,",
    );
    const [first] = (await sameBothWays([
      { files: { "members.csv": members }, kind: "members", file: "members.csv", options: { rejectsShown: 100 } },
      { files: { "members.csv": changed }, kind: "members", file: "members.csv" },
      { files: { "points.csv": lots }, kind: "points", file: "points.csv" },
      { files: {}, kind: "points", file: "points.csv" },
      { files: { "points.csv": lots }, kind: "points", file: "points.csv", options: { createMembers: true } },
    ])) as { summary: ImportSummary }[];
    expect((first as { summary: ImportSummary }).summary.rejects.map((r) => r.reason)).toContain(
      'tier "Golden": not a tier of patron.yaml; expected one of Silver, Gold, Platinum (did you mean "Gold"?)',
    );
  });

  it("stops on a problem with the file as the importer does, keeping what it committed before", async () => {
    const rows = Array.from({ length: 45_000 }, (_, i) => `m1,2026-11-03,o${i},s1,,,1,10`);
    const bad = Buffer.concat([Buffer.from(csv(PURCHASES, ...rows)), Buffer.from([0x6d, 0x31, 0xff, 0x0a])]);
    const failure = async (promise: Promise<unknown>): Promise<ImportError> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(error instanceof ImportError)) throw new Error(`expected an ImportError, got ${String(error)}`);
      return error;
    };

    const bulk = store("worker");
    writeFileSync(join(bulk.dir, "members.csv"), csv("id", "m1"));
    await bulk.run("members", "members.csv");
    writeFileSync(join(bulk.dir, "p.csv"), bad);
    expect((await failure(bulk.run("purchases", "p.csv"))).code).toBe("not-utf8");
    expect(bulk.db.prepare("SELECT count(*) FROM purchases").pluck().get()).toBe(0);
    expect(bulk.db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'purchases'").pluck().get()).toBe(3);

    writeFileSync(join(bulk.dir, "seed.csv"), csv(PURCHASES, "m1,2020-01-01,seed,s0,,,1,1"));
    await bulk.run("purchases", "seed.csv");
    expect((await failure(bulk.run("purchases", "p.csv"))).code).toBe("not-utf8");
    expect(bulk.db.prepare("SELECT count(*) FROM purchases").pluck().get()).toBeGreaterThan(1);

    writeFileSync(join(bulk.dir, "long.csv"), `${PURCHASES}\nm1,2026-11-03,"${"x".repeat(1_100_000)}\n`);
    expect((await failure(bulk.run("purchases", "long.csv"))).code).toBe("record-too-long");
    expect((await failure(bulk.run("purchases", "missing.csv"))).code).toBe("unreadable-file");
    writeFileSync(join(bulk.dir, "empty.csv"), "\n\n");
    expect((await failure(bulk.run("purchases", "empty.csv"))).code).toBe("empty-file");
    writeFileSync(join(bulk.dir, "header.csv"), 'member_id,"purchased_at\n');
    expect((await failure(bulk.run("purchases", "header.csv"))).code).toBe("malformed-header");
    writeFileSync(join(bulk.dir, "columns.csv"), "member,when\nm1,2026-11-03\n");
    const missing = await failure(bulk.run("purchases", "columns.csv"));
    expect([missing.code, missing.help?.startsWith('did you mean "member"?')]).toEqual(["missing-column", true]);
  });
});
