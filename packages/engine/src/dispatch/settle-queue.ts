import type { Db } from "../store/store.js";

/**
 * Settles of sends that finish in the same turn of the event loop, committed in one transaction
 * at its end: sends finish in bursts (a channel keeps many in flight), and a transaction a settle
 * was a third of the dispatcher's time. A row stays "sending" until its settle is committed, at
 * most a turn longer than before; a crash in between leaves it to recoverOrphans, as a crash
 * during its send does. Each settle is a savepoint of its own: one that fails (its promise
 * rejects) does not undo the others.
 */
export function settleQueue(db: Db): (settle: () => void) => Promise<void> {
  type Waiting = { readonly settle: () => void; readonly done: () => void; readonly failed: (error: unknown) => void };
  let waiting: Waiting[] = [];
  // Made once: better-sqlite3 runs a transaction function nested in another as a savepoint.
  const savepoint = db.transaction((settle: () => void) => settle());
  const all = db.transaction((batch: readonly Waiting[], failures: Map<Waiting, unknown>) => {
    for (const item of batch) {
      try {
        savepoint(item.settle);
      } catch (error) {
        failures.set(item, error);
      }
    }
  });
  const commit = (): void => {
    const batch = waiting;
    waiting = [];
    const failures = new Map<Waiting, unknown>();
    try {
      all(batch, failures);
    } catch (error) {
      for (const item of batch) if (!failures.has(item)) failures.set(item, error);
    }
    for (const item of batch) {
      if (failures.has(item)) item.failed(failures.get(item));
      else item.done();
    }
  };
  return (settle) =>
    new Promise((done, failed) => {
      if (waiting.length === 0) setImmediate(commit);
      waiting.push({ settle, done, failed });
    });
}
