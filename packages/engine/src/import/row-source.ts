import { Worker } from "node:worker_threads";
import { workerScriptBeside } from "../worker-script.js";
import type { ColumnPlan } from "./columns.js";
import { readRows } from "./read-rows.js";
import type { ReadJob, ReadMessage } from "./read-rows.js";
import { ImportError } from "./types.js";
import type { ImportErrorCode } from "./types.js";

/*
 * Where the importer's thread gets its rows from. An import takes two cores: a worker thread
 * (import-worker.ts) reads and parses the file (read-rows.ts), everything that does not need the
 * store, while the importer's thread only writes. Measured on a million purchases, reading and
 * parsing were about a third of the importer's thread's time, and they now run beside the writing.
 *
 * The worker is a separate script: dist/import/import-worker.js beside this module, or in the
 * CLI's bundle import-worker.mjs beside the chunk holding it. Where there is none (the tests run
 * the TypeScript sources), or when asked, the same reading runs in the importer's thread.
 *
 * Transactions and errors are the importer's as before: batches come in file order and each is
 * written when it comes, so the worker never holds anything the store has not seen; an error of
 * the reading side (an ImportError for the file, or any other) is thrown by next() after the
 * batches read before it, and a worker that stops without a word is an error too.
 */

/** How an import reads its file: in a worker thread when there is one ("auto"), or not. */
export type Reading = "auto" | "worker" | "thread";

export interface RowSource {
  /**
   * The next message of the reading side; `plan` answers a header message (undefined: stop).
   * Throws what the reading side threw.
   */
  next(plan?: ColumnPlan): Promise<ReadMessage>;
  /** The last batch is written: the reading side may read further ahead. */
  written(): void;
  close(): Promise<void>;
}

// The worker's control words (a shared Int32Array).
export const IN_FLIGHT = 0;
export const STOPPED = 1;
/**
 * Batches (about 1 MiB of the file each) posted and not yet written: the reader works on the
 * next while the store writes one, and memory stays bounded on any file.
 */
export const MAX_IN_FLIGHT = 2;

export interface WorkerData {
  readonly job: ReadJob;
  readonly control: Int32Array;
}

/** An error of the reading side, as it crosses to the importer's thread. */
export interface ErrorDescription {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: ImportErrorCode | undefined;
  readonly help: string | undefined;
}

export type FromWorker = ReadMessage | { readonly type: "error"; readonly error: ErrorDescription };
export type ToWorker = { readonly plan: ColumnPlan | undefined };

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof ImportError)
    return { name: error.name, message: error.message, stack: error.stack, code: error.code, help: error.help };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack, code: undefined, help: undefined };
  return { name: "Error", message: String(error), stack: undefined, code: undefined, help: undefined };
}

function errorOf(d: ErrorDescription): Error {
  if (d.name === "ImportError" && d.code !== undefined) return new ImportError(d.code, d.message, d.help);
  const error = new Error(`${d.message} (while reading the file)`);
  if (d.stack !== undefined) error.stack = `${error.name}: ${error.message}\n    in the import's reading thread:\n${d.stack}`;
  return error;
}

export function openRowSource(job: ReadJob, reading: Reading = "auto"): RowSource {
  if (reading === "thread") return inThread(job);
  const script = workerScriptBeside("import-worker", import.meta.url);
  if (reading === "worker") {
    if (script === undefined) throw new Error(`internal: no import worker beside ${import.meta.url}`);
    return inWorker(job, script);
  }
  if (script === undefined) return inThread(job);
  try {
    return inWorker(job, script);
  } catch {
    return inThread(job); // no thread to be had (the Worker constructor failed): read here
  }
}

function inThread(job: ReadJob): RowSource {
  const rows = readRows(job);
  return {
    async next(plan) {
      const r = await rows.next(plan);
      if (r.done === true) throw new Error("internal: the reading side ended without an end message");
      return r.value;
    },
    written() {},
    async close() {
      await rows.return();
    },
  };
}

function inWorker(job: ReadJob, script: URL): RowSource {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(script, { workerData: { job, control } satisfies WorkerData });
  const queue: FromWorker[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let ended = false;
  const arrived = (): void => {
    wake?.();
    wake = undefined;
  };
  worker.on("message", (message: FromWorker) => {
    queue.push(message);
    arrived();
  });
  worker.on("error", (error) => {
    failure ??= error;
    arrived();
  });
  worker.on("exit", (code) => {
    if (!ended) failure ??= new Error(`the import's reading thread stopped (exit code ${code})`);
    arrived();
  });
  return {
    async next(plan) {
      if (plan !== undefined) worker.postMessage({ plan } satisfies ToWorker);
      for (;;) {
        const message = queue.shift();
        if (message !== undefined) {
          if (message.type === "error") throw errorOf(message.error);
          if (message.type === "end") ended = true;
          return message;
        }
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    written() {
      Atomics.sub(control, IN_FLIGHT, 1);
      Atomics.notify(control, IN_FLIGHT);
    },
    async close() {
      ended = true;
      Atomics.store(control, STOPPED, 1);
      Atomics.notify(control, IN_FLIGHT);
      await worker.terminate();
    },
  };
}
