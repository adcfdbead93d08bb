import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inQuietHours, when } from "./oracle.js";
import type { ChannelName } from "@patron/channels";
import { nightScenario, playNight } from "./night.js";
import { SEED, runs } from "./seed.js";
import { optKey } from "./world.js";

/*
 * Property 5 (quiet hours) at sending: the dispatcher, stepped through nights on a test clock
 * (night.ts), never starts a send inside quiet hours in the member's zone, and sends every
 * planned message exactly once — a held one after its quiet hours end — unless the member opted
 * out of its channel meanwhile (then it is suppressed, never sent). Opt-outs are honoured at once.
 */

/** How often each case came up: the generator must reach them all, or the property proves little. */
const cases = { sent: 0, sentHeld: 0, heldAtSendTime: 0, stoppedByOptOut: 0 };

describe("quiet hours at sending (property 5)", () => {
  it("never starts a send inside quiet hours, and sends every held message exactly once after they end", async () => {
    await fc.assert(
      fc.asyncProperty(nightScenario({ members: 6, campaigns: 2, runs: 3, quiet: "always" }), async ({ s, night }) => {
        const { world, calls, byKey, planned: asPlanned } = await playNight(s, night);
        const quiet = s.quietHours;
        const seen = new Map<string, number>();
        for (const call of calls) {
          const row = byKey.get(call.key);
          expect(row, `a send of ${call.key}, which is no planned message`).toBeDefined();
          if (!row) continue;
          const zone = row.zone as string;
          const where = `${call.key} sent ${when(call.at, zone)} quiet ${JSON.stringify(quiet)}`;
          seen.set(call.key, (seen.get(call.key) ?? 0) + 1);
          expect(inQuietHours(quiet, call.at, zone), `${where}: inside quiet hours`).toBe(false);
          expect(call.at, `${where}: before its as-of`).toBeGreaterThanOrEqual(row.planned_for);
          if (row.deferred_until !== null)
            expect(call.at, `${where}: before its quiet hours ended`).toBeGreaterThanOrEqual(row.deferred_until);
          expect(call.optedOut.has(optKey(row.member_id, row.channel as ChannelName)), `${where}: member had opted out`).toBe(false);
          expect(call.to, where).toBe(row.address);
        }
        for (const [key, row] of byKey) {
          const original = asPlanned.get(row.id);
          const where = `${key} (planned ${when(row.planned_for, row.zone ?? "UTC")}, held until ${row.deferred_until})`;
          if (row.state === "suppressed") {
            // Only an opt-out after planning stops a planned message.
            expect(row.decision, where).toBe("no-consent");
            expect(original?.decision, where).toBe("send");
            expect(world.optedOutSince(row.run_id, optKey(row.member_id, row.channel as ChannelName)), where).toBe(true);
            expect(seen.get(key) ?? 0, `${where}: sent though opted out`).toBe(0);
            cases.stoppedByOptOut++;
          } else {
            expect(row.state, `${where}: never sent`).toBe("sent");
            expect(seen.get(key), `${where}: sends`).toBe(1);
            cases.sent++;
            if (row.deferred_until !== null) cases.sentHeld++;
            // Planned to go at once, then held by the dispatcher: the clock had entered quiet hours.
            if (original?.not_before === 0 && row.not_before > 0) cases.heldAtSendTime++;
          }
        }
      }),
      { seed: SEED + 6, numRuns: runs(120) },
    );
    expect(cases.sent).toBeGreaterThan(200);
    expect(cases.sentHeld).toBeGreaterThan(50);
    expect(cases.heldAtSendTime).toBeGreaterThan(10);
    expect(cases.stoppedByOptOut).toBeGreaterThan(3);
  });
});
