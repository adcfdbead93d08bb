import type { ChannelName } from "@patron/channels";
import { describe, expect, it, vi } from "vitest";
import { Outbox } from "../../src/dispatch/outbox-rows.js";
import { addReachable, ALL_CHANNELS, planSlot, SLOT } from "./support.js";
import { memoryStore } from "../support/store.js";

/*
 * The dispatcher finds a channel's queued rows through that channel's queue index (store
 * migration 005), in the order they are due — with or without a run scope. Taking the run's
 * (run_id, …) index instead would read every row of the run and sort them on every call: a
 * million-member run dispatched a few rows at a time.
 */

const CHANNELS: readonly ChannelName[] = ["sms", "email", "wechat"];

describe("the outbox's queue", () => {
  for (const runIds of [undefined, [1, 2]]) {
    it(`is read through the channel's queue index ${runIds ? "for some runs" : "for every run"}`, () => {
      const db = memoryStore();
      addReachable(db, { sms: 30, email: 20, wechat: 10 });
      planSlot(db, ALL_CHANNELS, SLOT);
      db.exec("ANALYZE");
      const prepare = vi.spyOn(db, "prepare");
      const outbox = new Outbox(db, runIds);
      for (const channel of CHANNELS) {
        expect(outbox.due(channel, SLOT + 1, 5)).toHaveLength(5);
        outbox.nextDue(channel);
        outbox.holdChannel(channel, 0);
      }
      expect(outbox.waiting().count).toBe(60);
      const queries = prepare.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes("state = 'queued' AND channel"));
      prepare.mockRestore();
      expect(queries).toHaveLength(10);
      for (const sql of queries) {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array<number>((sql.match(/\?/g) ?? []).length).fill(1)) as {
          detail: string;
        }[];
        const details = plan.map((step) => step.detail).join("\n");
        for (const channel of CHANNELS.filter((c) => sql.includes(`channel = '${c}'`)))
          expect(details, sql).toMatch(new RegExp(`USING (COVERING )?INDEX outbox_queue_${channel}\\b`));
        expect(details, sql).not.toMatch(/TEMP B-TREE|sqlite_autoindex_outbox/);
      }
    });
  }

  it("refuses a channel it has no queue index for", () => {
    const outbox = new Outbox(memoryStore(), undefined);
    expect(() => outbox.due("fax" as ChannelName, 0, 1)).toThrow(/the outbox has no queue for channel "fax"/);
  });
});
