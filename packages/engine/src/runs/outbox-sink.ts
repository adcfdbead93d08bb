import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { StoreCouponIssuer } from "../plan/coupons.js";
import type { Funnel } from "../plan/funnel.js";
import type { Audience } from "../plan/members.js";
import type { DecisionSink } from "../plan/plan-run.js";
import type { Db } from "../store/store.js";
import { workerScriptBeside } from "../worker-script.js";
import { issuedCodes, outboxPage, outboxPageWriter, rowCount, type OutboxPage, type RunKeys } from "./outbox-pages.js";
import type { WorkerPlanning } from "./worker-planning.js";

/*
 * Where a run's pages of decisions go. A planning takes two cores: a worker thread
 * (outbox-worker.ts), on a connection of its own, writes the pages — the writing was nearly half
 * of a million-member planning's time — and, when it can, plans pages too:
 * - the writing thread plans pages when it has the project's recipe (PlanInput.project) and the
 *   campaign issues no coupons (codes and caps are handed out by one issuer, on the planning
 *   thread). Both threads then take pages from one shared counter, each as soon as it is free:
 *   the writer plans in the time writing leaves it, so neither thread waits for the other;
 * - otherwise the planning thread plans every page and hands it over, and the writer only writes;
 * - pages are written in order, each whole in one transaction (the pages waiting when the writer
 *   is free go together in one), so a planning cut short resumes as before;
 * - at most MAX_AHEAD pages are taken and not yet written (memory stays flat);
 * - a coupon code is kept reserved by the issuer until the page carrying it is written;
 * - an error planning or writing a page is thrown to the planning thread (by the next page or
 *   by close()), and no later page is written.
 * planRun waits in close() until every page is written before it counts the run.
 *
 * The worker is a separate script: dist/runs/outbox-worker.js beside this module, or in the CLI's
 * bundle outbox-worker.mjs beside the chunk holding it. Where there is none (the tests run the
 * TypeScript sources), for a database in memory (another connection cannot see it), for an
 * audience of one page (byAudience), or when asked, the planning thread writes each page itself.
 */

/** How a run's pages are written: on a worker thread when there can be one ("auto"), or not. */
export type Writing = "auto" | "worker" | "thread";

export interface OutboxSink extends DecisionSink {
  /**
   * Waits until every page is written; throws what writing one threw. Returns the rows of the
   * pages, and how many of them the outbox added (not those it had already: another planning of
   * the run wrote them), and the members the writing thread decided (when it planned pages too).
   */
  close(): { readonly rows: number; readonly added: number; readonly writerDecided: number };
  /** Stops the writing thread, pages not yet written are dropped (planning failed anyway). */
  abort(): void;
  /** Which thread writes the pages (none chosen yet: an "auto" sink before begin() or a page). */
  writer(): "planning thread" | "writing thread" | undefined;
}

// The control words shared with the worker (an Int32Array over a SharedArrayBuffer).
/** Pages written, in order (page k is written once WRITTEN > k). */
export const WRITTEN = 0;
export const FAILED = 1;
export const CLOSED = 2;
/** Rows the pages written added to the outbox. */
export const ADDED = 3;
/** Pages posted by the planning thread (and "end"): what the worker waits on when it has nothing to do. */
export const POSTED = 4;
/** The next page to plan, when both threads plan: each takes one with Atomics.add. */
export const NEXT_PAGE = 5;
/** Members decided by the writing thread so far. */
export const DECIDED = 6;
/** The writing thread has planned its last page (its funnel is on the reports port). */
export const PLANNED = 7;
const CONTROL_WORDS = 8;
/** Pages taken (or handed over) and not yet written; the writing thread writes those waiting together. */
export const MAX_AHEAD = 16;
/**
 * Content (characters) handed over and not yet written, past which the planning thread waits even
 * with fewer pages ahead: a page of newsletters (100 KB × 500 members) is 50 MB on its own.
 */
const MAX_AHEAD_CONTENT = 16 * 2 ** 20;
const WORKER_YOUNG_GENERATION_MB = 24;
/** A page waits at most for SQLite's busy timeout (5 s); a worker silent this long is gone. */
export const STALL_SECONDS = 60;

export interface OutboxWorkerData {
  readonly dbPath: string;
  readonly run: RunKeys;
  readonly control: Int32Array;
  /** Where the worker reports (read synchronously by the planning thread). */
  readonly reports: MessagePort;
  /** Present when the worker plans pages too. */
  readonly planning?: WorkerPlanning;
}

export type ToOutboxWorker =
  | { readonly type: "audience"; readonly audience: Pick<Audience, "file" | "pageSize" | "pages"> }
  | { readonly type: "page"; readonly k: number; readonly page: OutboxPage }
  | { readonly type: "end" };

export type FromOutboxWorker =
  | ({ readonly type: "error" } & WriteErrorDescription)
  | { readonly type: "planned"; readonly members: number; readonly rows: number; readonly funnel: Funnel };

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

export interface OutboxSinkOptions {
  readonly writing?: Writing;
  /** How long a silent writing thread is waited for (STALL_SECONDS). */
  readonly stallSeconds?: number;
  /** What the writing thread needs to plan pages too; absent: it only writes. */
  readonly planning?: WorkerPlanning;
  /**
   * The audience will likely be large (the store has many members): an "auto" sink starts its
   * writing thread at once, to load while the audience is selected, and stops it if the
   * audience turns out to be one page.
   */
  readonly likelyLarge?: boolean;
}

/** A page sink for planRun: on a writing thread when there can be one (see above). */
export function openOutboxSink(db: Db, run: RunKeys, coupons: StoreCouponIssuer, options: OutboxSinkOptions = {}): OutboxSink {
  const { writing = "auto", stallSeconds = STALL_SECONDS, planning } = options;
  const script = workerScriptBeside("outbox-worker", import.meta.url);
  const file = db.memory ? undefined : db.name;
  if (writing === "worker" && (script === undefined || file === undefined))
    throw new Error(`internal: no outbox worker beside ${import.meta.url} or a database in memory`);
  if (writing === "thread" || script === undefined || file === undefined) return inThread(db, run, coupons);
  if (writing === "worker") return inWorker(file, script, run, coupons, stallSeconds, planning);
  return byAudience(
    planning !== undefined,
    options.likelyLarge === true,
    () => inThread(db, run, coupons),
    () => {
      try {
        return inWorker(file, script, run, coupons, stallSeconds, planning);
      } catch {
        return inThread(db, run, coupons); // no thread to be had (the Worker constructor failed): write here
      }
    },
  );
}

/**
 * An audience of one page has nothing to overlap: starting a thread (tens of milliseconds, more
 * than planning a few hundred members) would only make a small run slower. The choice waits for
 * begin() (a page before it starts the thread; closed with no page, none is started) — unless the
 * audience is likely large: then the thread starts at once, and is stopped for one page.
 */
function byAudience(sharesPlanning: boolean, early: boolean, small: () => OutboxSink, large: () => OutboxSink): OutboxSink {
  let started = early ? large() : undefined;
  let sink: OutboxSink | undefined;
  return {
    sharesPlanning,
    begin(audience) {
      if (started && audience.pages <= 1) started.abort();
      else sink ??= started;
      started = undefined;
      sink ??= audience.pages <= 1 ? small() : large();
      return sink.begin?.(audience);
    },
    page(decisions) {
      (sink ??= started ?? large()).page(decisions);
    },
    end: () => sink?.end?.(),
    close() {
      if (sink === undefined) started?.abort();
      return (sink ??= small()).close();
    },
    abort: () => (sink ?? started)?.abort(),
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
    close: () => ({ rows, added, writerDecided: 0 }),
    abort() {},
    writer: () => "planning thread",
  };
}

function inWorker(
  dbPath: string,
  script: URL,
  run: RunKeys,
  coupons: StoreCouponIssuer,
  stallSeconds: number,
  planning: WorkerPlanning | undefined,
): OutboxSink {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
  const { port1: reports, port2: workerReports } = new MessageChannel();
  const worker = new Worker(script, {
    workerData: { dbPath, run, control, reports: workerReports, ...(planning ? { planning } : {}) } satisfies OutboxWorkerData,
    transferList: [workerReports],
    // No heap limit of its own: pages of long e-mails (a 100 KB newsletter × 500 members) must
    // not make the writer run out of memory; it holds at most MAX_AHEAD pages at a time. Its
    // young generation is kept smaller than V8's default: a thread planning and writing pages
    // grew it to the full size, ~25 MB of RSS more, for no speed the benchmark could measure.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  // The planning thread is busy while it plans: these run only once it is done (or awaits).
  // Reports come through `reports`, read synchronously; a worker that dies without a word is
  // caught by the waits' limit below.
  worker.on("error", () => {});
  /** Pages: handed over by this thread, or (both planning) in the audience. */
  let pages = 0;
  let shared = false;
  let claimed = -1;
  let claimedHere = 0;
  let rows = 0;
  /** Pages handed over and not yet known written: the codes each carries and its content's length. */
  const unwritten = new Map<number, { readonly codes: string[]; readonly contentLength: number }>();
  let unwrittenContent = 0;
  let done = false;
  let workerPlanned: Extract<FromOutboxWorker, { type: "planned" }> | undefined;
  let failed: WriteErrorDescription | undefined;

  const post = (message: ToOutboxWorker): void => {
    worker.postMessage(message);
    Atomics.add(control, POSTED, 1);
    Atomics.notify(control, POSTED);
  };
  const readReports = (): void => {
    for (let m = receiveMessageOnPort(reports); m; m = receiveMessageOnPort(reports)) {
      const report = m.message as FromOutboxWorker;
      if (report.type === "error") failed ??= report;
      else workerPlanned = report;
    }
  };
  const failure = (): Error | undefined => {
    if (Atomics.load(control, FAILED) === 0 && Atomics.load(control, CLOSED) === 0) return undefined;
    readReports();
    if (failed) {
      const error = new Error(`${failed.message} (writing the outbox)`) as Error & { code?: string };
      if (failed.code !== undefined) error.code = failed.code;
      if (failed.stack !== undefined) error.stack = `${error.name}: ${error.message}\n    in the outbox's writing thread:\n${failed.stack}`;
      return error;
    }
    if (Atomics.load(control, FAILED) !== 0 || Atomics.load(control, WRITTEN) < pages)
      return new Error("the outbox's writing thread stopped before it wrote every page");
    return undefined;
  };
  /**
   * Waits until `ready()` holds, failing on the worker's error or on stallSeconds with no page
   * written; hands written pages' codes back to the issuer on the way.
   */
  const waitUntil = (ready: () => boolean, word = WRITTEN): void => {
    let waited = 0;
    for (let before = -1; ;) {
      const written = Atomics.load(control, WRITTEN);
      if (written !== before) waited = 0; // seconds without a page written
      before = written;
      for (const [k, page] of unwritten)
        if (k < written) {
          coupons.committed(page.codes);
          unwrittenContent -= page.contentLength;
          unwritten.delete(k);
        }
      if (ready()) return;
      const error = failure();
      if (error) throw error;
      const seen = Atomics.load(control, word);
      if (!ready() && Atomics.wait(control, word, seen, 1000) === "timed-out" && ++waited >= stallSeconds)
        throw new Error(`the outbox's writing thread wrote nothing in ${stallSeconds} s: it stopped, or the database is locked`);
    }
  };
  const stop = (): void => {
    done = true;
    reports.close();
    void worker.terminate();
  };
  return {
    sharesPlanning: planning !== undefined,
    begin(audience) {
      // No scratch database could be made (members.ts): this thread plans alone.
      if (planning === undefined || audience.file === undefined) return undefined;
      shared = true;
      pages = audience.pages;
      post({ type: "audience", audience: { pages: audience.pages, pageSize: audience.pageSize, file: audience.file } });
      return {
        next() {
          waitUntil(() => Atomics.load(control, NEXT_PAGE) - Atomics.load(control, WRITTEN) < MAX_AHEAD);
          claimed = Atomics.add(control, NEXT_PAGE, 1);
          if (claimed < pages) claimedHere++;
          return claimed;
        },
        decidedElsewhere: () => Atomics.load(control, DECIDED),
      };
    },
    page(decisions) {
      const k = shared ? claimed : pages++;
      const page = outboxPage(run, decisions);
      waitUntil(
        () =>
          (shared || k - Atomics.load(control, WRITTEN) < MAX_AHEAD) &&
          (unwritten.size === 0 || unwrittenContent + page.contentLength <= MAX_AHEAD_CONTENT),
      );
      unwritten.set(k, { codes: issuedCodes(page), contentLength: page.contentLength });
      unwrittenContent += page.contentLength;
      rows += rowCount(page);
      post({ type: "page", k, page });
    },
    end() {
      // Every page is claimed once: when this thread claimed them all, the writing thread decided
      // nothing, and its report need not be waited for (it may still be loading).
      if (!shared || claimedHere === pages) return undefined;
      waitUntil(() => {
        readReports();
        return workerPlanned !== undefined;
      }, PLANNED);
      return workerPlanned?.funnel;
    },
    close() {
      if (done) throw new Error("internal: the outbox sink was closed twice");
      try {
        waitUntil(() => Atomics.load(control, WRITTEN) >= pages);
        post({ type: "end" });
        // The worker closes its connection before it says it is done.
        for (let waited = 0; Atomics.load(control, CLOSED) === 0;)
          if (Atomics.wait(control, CLOSED, 0, 1000) === "timed-out" && ++waited >= stallSeconds)
            throw new Error(`the outbox's writing thread did not close its connection in ${stallSeconds} s`);
        const error = failure();
        if (error) throw error;
        return { rows: rows + (workerPlanned?.rows ?? 0), added: Atomics.load(control, ADDED), writerDecided: workerPlanned?.members ?? 0 };
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
