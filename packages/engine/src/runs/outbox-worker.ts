import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { openStore, type Db } from "../store/store.js";
import { shrinkPageCache } from "../store/page-cache.js";
import { outboxPageWriter, type OutboxPage } from "./outbox-pages.js";
import { ADDED, CLOSED, describeWriteError, FAILED, WRITTEN } from "./outbox-sink.js";
import type { OutboxWorkerData, ToOutboxWorker } from "./outbox-sink.js";

/*
 * The outbox's writing thread of a run (outbox-sink.ts starts it): writes the pages it is handed,
 * in order, those waiting together in one transaction, on a connection of its own, and counts
 * the pages written in the shared control words. After an error it writes nothing more. It is a
 * separate entry point of the CLI's bundle.
 */

const WRITER_CACHE_KIB = 8192;

const port = parentPort as MessagePort;
const { dbPath, run, control, errors } = workerData as OutboxWorkerData;

let failed = false;
const fail = (error: unknown): void => {
  failed = true;
  errors.postMessage(describeWriteError(error));
  Atomics.store(control, FAILED, 1);
  Atomics.notify(control, WRITTEN);
};

let db: Db | undefined;
let write: ((pages: readonly OutboxPage[]) => number) | undefined;
try {
  db = openStore(dbPath, { mustExist: true });
  // The outbox grows at its end: a small page cache will do (store/page-cache.ts); its RSS
  // counts in the planning's memory target.
  shrinkPageCache(db, WRITER_CACHE_KIB);
  write = outboxPageWriter(db, run);
} catch (error) {
  fail(error);
}

function end(): void {
  db?.close();
  port.close();
  errors.close();
  Atomics.store(control, CLOSED, 1);
  Atomics.notify(control, CLOSED);
}

port.on("message", (first: ToOutboxWorker) => {
  if (first.type === "end") return end();
  // The pages waiting go together in one transaction: fewer commits when writing falls behind.
  const pages = [first.page];
  let ended = false;
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    const message = next.message as ToOutboxWorker;
    if (message.type === "end") {
      ended = true;
      break;
    }
    pages.push(message.page);
  }
  if (!failed && write) {
    try {
      Atomics.add(control, ADDED, write(pages));
      Atomics.add(control, WRITTEN, pages.length);
    } catch (error) {
      fail(error);
    }
    Atomics.notify(control, WRITTEN);
  }
  if (ended) end();
});
