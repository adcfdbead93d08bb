import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { settleQueue } from "../../src/dispatch/settle-queue.js";
import { openStore, type Db } from "../../src/store/store.js";

/*
 * The dispatcher settles the sends that finish in one turn of the event loop together, in one
 * transaction at the turn's end (settle-queue.ts). What must hold: nothing is committed before
 * the turn ends, everything of the turn is committed in one transaction, each settle's promise
 * resolves once it is committed, and one settle that fails does not undo the others.
 */

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function stores(): { db: Db; reader: Db } {
  dir = mkdtempSync(join(tmpdir(), "patron-settle-"));
  const file = join(dir, "store.db");
  const db = openStore(file);
  db.exec("CREATE TABLE settled (name TEXT PRIMARY KEY)");
  return { db, reader: openStore(file, { mustExist: true }) };
}

describe("settle queue", () => {
  it("commits the settles of one turn together, at its end", async () => {
    const { db, reader } = stores();
    const settled = (): string[] => reader.prepare("SELECT name FROM settled ORDER BY name").pluck().all() as string[];
    const settle = settleQueue(db);
    const insert = db.prepare("INSERT INTO settled (name) VALUES (?)");
    const seenByOthers: string[][] = [];
    const a = settle(() => {
      insert.run("a");
    });
    const b = settle(() => {
      insert.run("b");
      // Inside the same transaction as a's: another connection does not see a yet.
      seenByOthers.push(settled());
    });
    expect(settled()).toEqual([]); // queued, not run
    await Promise.all([a, b]);
    expect(seenByOthers).toEqual([[]]);
    expect(settled()).toEqual(["a", "b"]);

    // A later turn is a transaction of its own.
    await settle(() => {
      insert.run("c");
    });
    expect(settled()).toEqual(["a", "b", "c"]);
    reader.close();
    db.close();
  });

  it("rejects a settle that fails and keeps the others of its turn", async () => {
    const { db, reader } = stores();
    const settle = settleQueue(db);
    const insert = db.prepare("INSERT INTO settled (name) VALUES (?)");
    const results = await Promise.allSettled([
      settle(() => {
        insert.run("first");
      }),
      settle(() => {
        insert.run("half"); // undone with its settle
        insert.run("first"); // a duplicate: this settle fails
      }),
      settle(() => {
        insert.run("last");
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(reader.prepare("SELECT name FROM settled ORDER BY name").pluck().all()).toEqual(["first", "last"]);
    reader.close();
    db.close();
  });
});
