import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { Decision } from "../plan/decide.js";
import type { StoreCouponIssuer } from "../plan/coupons.js";
import type { Db } from "../store/store.js";
import { workerScriptBeside } from "../worker-script.js";
import { issuedCodes, outboxPage, outboxPageWriter, rowCount, type OutboxPage, type RunKeys } from "./outbox-pages.js";

/*
 * Where a run's pages of decisions go. A planning takes two cores: the planning thread reads,
 * decides and renders while a worker thread (outbox-worker.ts), on a connection of its own,
 * writes the pages it was handed before — the writing was nearly half of a million-member
 * planning's time. Nothing else changes:
 * - pages are written in order, each whole in one transaction (the pages waiting when the writer
 *   is free go together in one), so a planning cut short resumes as before;
 * - at most MAX_IN_FLIGHT pages are handed over and not yet written (memory stays flat);
 * - a coupon code is kept reserved by the issuer until the page carrying it is written;
 * - an error writing a page is thrown to the planning thread (by the next page() or by close()),
 *   and no later page is written.
 * planRun waits in close() until every page is written before it counts the run.
 *
 * The worker is a separate script: dist/runs/outbox-worker.js beside this module, or in the CLI's
 * bundle outbox-worker.mjs beside the chunk holding it. Where there is none (the tests run the
 * TypeScript sources), for a database in memory (another connection cannot see it), for an
 * audience of one page (byAudience), or when asked, the planning thread writes each page itself.
 */

/** How a run's pages are written: on a worker thread when there can be one ("auto"), or not. */
export type Writing = "auto" | "worker" | "thread";

export interface OutboxSink {
  /** How many pages the audience makes, before the first: it decides where an "auto" sink writes. */
  begin?(pages: number): void;
  page(decisions: readonly Decision[]): void;
  /**
   * Waits until every page is written; throws what writing one threw. Returns the rows of the
   * pages, and how many of them the outbox added (not those it had already: another planning of
   * the run wrote them).
   */
  close(): { readonly rows: number; readonly added: number };
  /** Stops the writing thread, pages not yet written are dropped (planning failed anyway). */
  abort(): void;
  /** Which thread writes the pages (none chosen yet: an "auto" sink before begin() or a page). */
  writer(): "planning thread" | "writing thread" | undefined;
}

// The control words shared with the worker (an Int32Array over a SharedArrayBuffer).
export const WRITTEN = 0;
export const FAILED = 1;
export const CLOSED = 2;
/** Rows the pages written added to the outbox. */
export const ADDED = 3;
/** Pages handed over and not yet written; the writing thread writes those waiting together. */
export const MAX_IN_FLIGHT = 4;
/** A page waits at most for SQLite's busy timeout (5 s); a worker silent this long is gone. */
export const STALL_SECONDS = 60;

export interface OutboxWorkerData {
  readonly dbPath: string;
  readonly run: RunKeys;
  readonly control: Int32Array;
  /** Where the worker posts an error (read synchronously by the planning thread). */
  readonly errors: MessagePort;
}

export type ToOutboxWorker = { readonly type: "page"; readonly page: OutboxPage } | { readonly type: "end" };

export interface WriteErrorDescription {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly stack: string | undefined;
}

export function describeWriteError(error: unknown): WriteErrorDescription {
  if (error instanceof Error)
    return { name: error.name, message: error.message, code: (error as { code?: unknown }).code as string | undefined, stack: error.stack };
  return { name: "Error", message: String(error), code: undefined, stack: undefined };
}

/** A page sink for planRun: on a writing thread when there can be one (see above). */
export function openOutboxSink(
  db: Db,
  run: RunKeys,
  coupons: StoreCouponIssuer,
  writing: Writing = "auto",
  /** How long a silent writing thread is waited for. */
  stallSeconds = STALL_SECONDS,
): OutboxSink {
  const script = workerScriptBeside("outbox-worker", import.meta.url);
  const file = db.memory ? undefined : db.name;
  if (writing === "worker" && (script === undefined || file === undefined))
    throw new Error(`internal: no outbox worker beside ${import.meta.url} or a database in memory`);
  if (writing === "thread" || script === undefined || file === undefined) return inThread(db, run, coupons);
  if (writing === "worker") return inWorker(file, script, run, coupons, stallSeconds);
  return byAudience(
    () => inThread(db, run, coupons),
    () => {
      try {
        return inWorker(file, script, run, coupons, stallSeconds);
      } catch {
        return inThread(db, run, coupons); // no thread to be had (the Worker constructor failed): write here
      }
    },
  );
}

/**
 * An audience of one page has nothing to overlap: starting a thread (tens of milliseconds, more
 * than planning a few hundred members) would only make a small run slower. The choice waits for
 * begin(); a page before it starts the thread, as before; closed with no page, none is started.
 */
function byAudience(small: () => OutboxSink, large: () => OutboxSink): OutboxSink {
  let sink: OutboxSink | undefined;
  return {
    begin(pages) {
      sink ??= pages <= 1 ? small() : large();
    },
    page(decisions) {
      (sink ??= large()).page(decisions);
    },
    close: () => (sink ??= small()).close(),
    abort: () => sink?.abort(),
    writer: () => sink?.writer(),
  };
}

function inThread(db: Db, run: RunKeys, coupons: StoreCouponIssuer): OutboxSink {
  const write = outboxPageWriter(db, run);
  let rows = 0;
  let added = 0;
  return {
    page(decisions) {
      const page = outboxPage(run, decisions);
      rows += rowCount(page);
      added += write([page]);
      coupons.committed(issuedCodes(page));
    },
    close: () => ({ rows, added }),
    abort() {},
    writer: () => "planning thread",
  };
}

function inWorker(dbPath: string, script: URL, run: RunKeys, coupons: StoreCouponIssuer, stallSeconds: number): OutboxSink {
  const control = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const { port1: errors, port2: workerErrors } = new MessageChannel();
  const worker = new Worker(script, {
    workerData: { dbPath, run, control, errors: workerErrors } satisfies OutboxWorkerData,
    transferList: [workerErrors],
    // No heap limit of its own: pages of long e-mails (a 100 KB newsletter × 500 members) must
    // not make the writer run out of memory; it holds at most MAX_IN_FLIGHT pages at a time.
  });
  // The planning thread is busy while it plans: these run only once it is done (or awaits).
  // Errors come through `errors`, read synchronously; a worker that dies without a word is
  // caught by the wait's limit below.
  worker.on("error", () => {});
  let posted = 0;
  let rows = 0;
  /** Codes of each page posted and not yet known written, oldest first. */
  const pending: string[][] = [];
  let acknowledged = 0;
  let done = false;

  const failure = (): Error | undefined => {
    if (Atomics.load(control, FAILED) === 0 && Atomics.load(control, CLOSED) === 0) return undefined;
    const message = receiveMessageOnPort(errors)?.message as WriteErrorDescription | undefined;
    if (message) {
      const error = new Error(`${message.message} (writing the outbox)`) as Error & { code?: string };
      if (message.code !== undefined) error.code = message.code;
      if (message.stack !== undefined)
        error.stack = `${error.name}: ${error.message}\n    in the outbox's writing thread:\n${message.stack}`;
      return error;
    }
    if (Atomics.load(control, FAILED) !== 0 || Atomics.load(control, WRITTEN) < posted)
      return new Error("the outbox's writing thread stopped before it wrote every page");
    return undefined;
  };
  /** Waits until at most `inFlight` pages are unwritten; hands written pages' codes back to the issuer. */
  const waitFor = (inFlight: number): void => {
    let waited = 0;
    for (let before = -1; ;) {
      const written = Atomics.load(control, WRITTEN);
      if (written !== before) waited = 0; // seconds without a page written
      before = written;
      while (acknowledged < written) {
        coupons.committed(pending.shift() ?? []);
        acknowledged++;
      }
      if (posted - written <= inFlight) return;
      const error = failure();
      if (error) throw error;
      if (Atomics.wait(control, WRITTEN, written, 1000) === "timed-out" && ++waited >= stallSeconds)
        throw new Error(`the outbox's writing thread wrote nothing in ${stallSeconds} s: it stopped, or the database is locked`);
    }
  };
  const stop = (): void => {
    done = true;
    errors.close();
    void worker.terminate();
  };
  return {
    page(decisions) {
      waitFor(MAX_IN_FLIGHT - 1);
      const page = outboxPage(run, decisions);
      pending.push(issuedCodes(page));
      rows += rowCount(page);
      worker.postMessage({ type: "page", page } satisfies ToOutboxWorker);
      posted++;
    },
    close() {
      if (done) throw new Error("internal: the outbox sink was closed twice");
      try {
        waitFor(0);
        worker.postMessage({ type: "end" } satisfies ToOutboxWorker);
        // The worker closes its connection before it says it is done.
        for (let waited = 0; Atomics.load(control, CLOSED) === 0;)
          if (Atomics.wait(control, CLOSED, 0, 1000) === "timed-out" && ++waited >= stallSeconds)
            throw new Error(`the outbox's writing thread did not close its connection in ${stallSeconds} s`);
        const error = failure();
        if (error) throw error;
        return { rows, added: Atomics.load(control, ADDED) };
      } finally {
        stop();
      }
    },
    abort() {
      if (!done) stop();
    },
    writer: () => "writing thread",
  };
}
