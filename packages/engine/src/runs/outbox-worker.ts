import { receiveMessageOnPort, workerData, parentPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { openStore, type Db } from "../store/store.js";
import { shrinkPageCache } from "../store/page-cache.js";
import { outboxPageWriter, type OutboxPage } from "./outbox-pages.js";
import { ADDED, CLOSED, DECIDED, describeWriteError, FAILED, NEXT_PAGE, PLANNED, POSTED, WRITTEN } from "./outbox-sink.js";
import type { FromOutboxWorker, OutboxWorkerData, ToOutboxWorker } from "./outbox-sink.js";
import type { WorkerPages } from "./worker-planning.js";

/*
 * The outbox's writing thread of a run (outbox-sink.ts starts it). In a loop, until the planning
 * thread says "end":
 * - takes the pages the planning thread handed over;
 * - writes the pages that are next in order, those waiting together in one transaction, and
 *   counts them in the shared control words;
 * - when it plans too and nothing is ready to write, takes the next page from the shared counter
 *   and plans it (worker-planning.ts), unless enough of its own pages already wait for one of
 *   the planning thread's;
 * - otherwise sleeps until the planning thread posts something.
 * After an error it reports, closes its connection and ends. It is a separate entry point of
 * the CLI's bundle.
 */

const WRITER_CACHE_KIB = 8192;
const WRITER_CHECKPOINT_BYTES = 16 * 2 ** 20;
/** Pages waiting to be written (for one of the planning thread's) past which this thread plans no more. */
const OWN_AHEAD = 4;

const port = parentPort as MessagePort;
const { dbPath, run, control, reports, planning } = workerData as OutboxWorkerData;

const report = (message: FromOutboxWorker): void => reports.postMessage(message);
const wake = (): void => {
  Atomics.notify(control, WRITTEN);
  Atomics.notify(control, PLANNED);
};

let db: Db | undefined;
try {
  db = openStore(dbPath, { mustExist: true });
  // The outbox grows at its end: a small page cache will do (store/page-cache.ts); its RSS
  // counts in the planning's memory target.
  shrinkPageCache(db, WRITER_CACHE_KIB);
  // This connection writes rows of one run only, whose row in runs exists before the thread
  // starts: looking each outbox row's run_id up in runs (better-sqlite3 enforces foreign keys)
  // was ~5% of writing the row.
  db.pragma("foreign_keys = OFF");
  // The state of a row it writes is 'queued' or 'suppressed', by the INSERT's own CASE: the
  // outbox's CHECK (state IN (…five states…)) can never fail here, and SQLite evaluated it by
  // building a temporary index of the five for every row (~15% of writing one). Prepared after
  // this, the connection's statements leave CHECK constraints out.
  db.pragma("ignore_check_constraints = ON");
  // A checkpoint every 16 MB of WAL, four times rarer than SQLite's default with 4 KiB pages: a
  // checkpoint copies each page once however often the WAL holds it, and a run rewrites the same
  // few pages (the ends of the outbox and its indexes) page after page; ~3% faster planning of a
  // million members. Counted in bytes, not pages: with a store's 16 KiB pages, 4,000 pages made
  // checkpoints of 64 MB, each holding this thread for ~150 ms — long enough for the planning
  // thread to fill its MAX_AHEAD pages and wait (~2 s of a million-member run).
  db.pragma(
    `wal_autocheckpoint = ${Math.max(1, Math.round(WRITER_CHECKPOINT_BYTES / (db.pragma("page_size", { simple: true }) as number)))}`,
  );
  await work(db, outboxPageWriter(db, run));
} catch (error) {
  report({ type: "error", ...describeWriteError(error) });
  Atomics.store(control, FAILED, 1);
}
db?.close();
port.close();
reports.close();
Atomics.store(control, CLOSED, 1);
Atomics.notify(control, CLOSED);
wake();

async function work(db: Db, write: (pages: readonly OutboxPage[]) => number): Promise<void> {
  // The planning modules (the DSL, the template compiler) are loaded only by a thread that plans.
  const pagesOf = planning ? (await import("./worker-planning.js")).workerPages : undefined;
  const ready = new Map<number, OutboxPage>();
  let next = 0;
  let mine: { readonly pages: WorkerPages; readonly count: number } | undefined;
  let ended = false;
  for (;;) {
    const seen = Atomics.load(control, POSTED);
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const message = m.message as ToOutboxWorker;
      if (message.type === "page") ready.set(message.k, message.page);
      else if (message.type === "end") ended = true;
      else if (pagesOf && planning) mine = { pages: pagesOf(db, run, planning, message.audience), count: message.audience.pages };
    }
    const batch: OutboxPage[] = [];
    for (let k = next; ready.has(k); k++) {
      batch.push(ready.get(k) as OutboxPage);
      ready.delete(k);
    }
    if (batch.length > 0) {
      Atomics.add(control, ADDED, write(batch));
      next += batch.length;
      Atomics.store(control, WRITTEN, next);
      wake();
      continue;
    }
    if (ended) return;
    if (mine && ready.size < OWN_AHEAD) {
      const k = Atomics.add(control, NEXT_PAGE, 1);
      if (k < mine.count) {
        ready.set(k, mine.pages.plan(k));
        Atomics.store(control, DECIDED, mine.pages.done.members);
        continue;
      }
      // Every page is taken: this thread's share is decided.
      mine.pages.close();
      report({ type: "planned", members: mine.pages.done.members, rows: mine.pages.done.rows, funnel: mine.pages.done.funnel });
      Atomics.store(control, PLANNED, 1);
      wake();
      mine = undefined;
      continue;
    }
    Atomics.wait(control, POSTED, seen, 1000);
  }
}
