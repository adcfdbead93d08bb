import { once } from "node:events";
import { parentPort, workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { ColumnPlan } from "./columns.js";
import { readRows } from "./read-rows.js";
import type { ReadJob } from "./read-rows.js";
import { batchBuffers } from "./batches.js";
import { IN_FLIGHT, STOPPED, MAX_IN_FLIGHT, describeError } from "./row-source.js";
import type { FromWorker, ToWorker, WorkerData } from "./row-source.js";

/*
 * The worker thread of an import (row-source.ts starts it): runs the reading side (read-rows.ts)
 * and posts what it yields to the importer's thread, the batches' buffers transferred, at most
 * MAX_IN_FLIGHT batches ahead of the store. It is a separate entry point of the CLI's bundle.
 */

const port = parentPort as MessagePort;
const { job, control } = workerData as WorkerData;

/** Waits until the store has room for another batch; false when the import stopped. */
function mayPost(): boolean {
  for (;;) {
    if (Atomics.load(control, STOPPED) !== 0) return false;
    const inFlight = Atomics.load(control, IN_FLIGHT);
    if (inFlight < MAX_IN_FLIGHT) return true;
    Atomics.wait(control, IN_FLIGHT, inFlight);
  }
}

async function run(job: ReadJob): Promise<void> {
  const rows = readRows(job);
  try {
    let answer: ColumnPlan | undefined;
    for (;;) {
      const next = await rows.next(answer);
      answer = undefined;
      if (next.done === true) return;
      const message = next.value;
      if (message.type === "header") {
        port.postMessage(message satisfies FromWorker);
        const [reply] = (await once(port, "message")) as [ToWorker];
        if (reply.plan === undefined) return;
        answer = reply.plan;
      } else if (message.type === "rows") {
        if (!mayPost()) return;
        Atomics.add(control, IN_FLIGHT, 1);
        port.postMessage(message satisfies FromWorker, batchBuffers(message));
      } else {
        port.postMessage(message satisfies FromWorker);
      }
    }
  } finally {
    await rows.return();
  }
}

run(job).catch((error: unknown) => port.postMessage({ type: "error", error: describeError(error) } satisfies FromWorker));
