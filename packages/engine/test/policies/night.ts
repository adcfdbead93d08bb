import fc from "fast-check";
import type { Channel, ChannelName } from "@patron/channels";
import { dispatch } from "../../src/dispatch/dispatcher.js";
import { messageKey } from "../../src/runs/run.js";
import { seededRandom } from "../delivery/support.js";
import { CHANNELS, scenario, type MemberSpec, type Scenario, type ScenarioSize } from "./scenario.js";
import { World, type OutboxRecord } from "./world.js";

/*
 * A night of sending: the runs of a scenario planned at their instants, and between them the
 * dispatcher called again and again on a controllable clock (DispatchOptions.now) stepping
 * through the night, as the scheduler would — sometimes straight after a run plans, sometimes
 * only at the next step. Each send advances the clock a little, so the clock can cross into
 * quiet hours in the middle of one dispatch. Members may opt out while messages wait.
 */

export interface Night {
  /** Minutes between dispatcher calls, used in turn. */
  readonly steps: readonly number[];
  /** How far one send moves the clock (ms). */
  readonly sendMs: number;
  /** Whether `patron run` dispatches straight after planning, per run. */
  readonly sendAfterRun: readonly boolean[];
  /** Opt-outs recorded at the first dispatcher call after a run (while its messages may wait). */
  readonly lateOptOuts: readonly { readonly afterRun: number; readonly member: number; readonly channel: ChannelName }[];
  readonly concurrency: number;
}

export function nightScenario(size: ScenarioSize): fc.Arbitrary<{ readonly s: Scenario; readonly night: Night }> {
  return scenario(size).chain((s) =>
    fc
      .record({
        steps: fc.array(fc.constantFrom(7, 30, 59, 60, 95, 180, 360), { minLength: 1, maxLength: 6 }),
        sendMs: fc.constantFrom(0, 1_000, 60_000, 7 * 60_000),
        sendAfterRun: fc.array(fc.boolean(), { minLength: s.runs.length, maxLength: s.runs.length }),
        lateOptOuts: fc.array(
          fc.record({
            afterRun: fc.integer({ min: 0, max: s.runs.length - 1 }),
            member: fc.integer({ min: 0, max: s.members.length - 1 }),
            channel: fc.constantFrom(...CHANNELS),
          }),
          { maxLength: 3 },
        ),
        concurrency: fc.constantFrom(1, 1, 3),
      })
      .map((night) => ({ s, night })),
  );
}

/** One send as the provider saw it: when it started on the test clock, and who was opted out then. */
export interface SendCall {
  readonly key: string;
  readonly channel: ChannelName;
  readonly to: string;
  readonly at: number;
  readonly optedOut: ReadonlySet<string>;
}

export interface NightResult {
  readonly world: World;
  readonly calls: readonly SendCall[];
  /** Outbox rows by the key the provider saw. */
  readonly byKey: ReadonlyMap<string, OutboxRecord>;
  /** Rows as planning left them (before the dispatcher touched them). */
  readonly planned: ReadonlyMap<number, OutboxRecord>;
}

const MINUTE = 60_000;
/** After the last run, the night goes on at most this long for the last deferred message. */
const DRAIN_MS = 4 * 86_400_000;

export async function playNight(s: Scenario, night: Night): Promise<NightResult> {
  const world = new World(s);
  const clock = { t: world.instants[0] as number };
  const calls: SendCall[] = [];
  const channel = (name: ChannelName): Channel => ({
    name,
    provider: `clock-${name}`,
    concurrency: night.concurrency,
    idempotent: false,
    async send(message) {
      calls.push({ key: message.key, channel: name, to: message.to, at: clock.t, optedOut: new Set(world.optedOut) });
      clock.t += night.sendMs;
      return { ok: true, providerId: `${name}-${message.key}` };
    },
    async close() {},
  });
  const channels = new Map(CHANNELS.map((c) => [c, channel(c)]));
  const random = seededRandom(7);
  const planned = new Map<number, OutboxRecord>();
  const send = async (): Promise<void> => {
    await dispatch({
      db: world.db,
      channels,
      ...(s.quietHours ? { quietHours: s.quietHours } : {}),
      now: () => clock.t,
      waitMs: 0,
      random,
    });
  };
  /** Whether anything waits to be sent, and the next instant a held message falls due. */
  const queue = (): { readonly waiting: boolean; readonly nextHeld: number | undefined } => {
    const row = world.db
      .prepare("SELECT count(*) AS n, min(CASE WHEN not_before > ? THEN not_before END) AS next FROM outbox WHERE state = 'queued'")
      .get(clock.t) as { n: number; next: number | null };
    return { waiting: row.n > 0, nextHeld: row.next ?? undefined };
  };
  let step = 0;
  /**
   * Dispatcher calls up to (not including) `until`: every step, and exactly when a held message
   * falls due; none once nothing is queued. The late opt-outs of run `afterRun` come first.
   */
  const stepUntil = async (until: number, afterRun: number): Promise<void> => {
    let lateOptOutsDue = true;
    for (;;) {
      const { waiting, nextHeld } = queue();
      const at = Math.min(clock.t + (night.steps[step++ % night.steps.length] as number) * MINUTE, nextHeld ?? Infinity);
      if (lateOptOutsDue) {
        for (const o of night.lateOptOuts.filter((x) => x.afterRun === afterRun)) {
          world.optOut((s.members[o.member] as MemberSpec).id, o.channel, Math.min(at, until - 1));
        }
        lateOptOutsDue = false;
      }
      if (!waiting || at >= until) return;
      clock.t = at;
      await send();
    }
  };
  for (let i = 0; i < world.instants.length; i++) {
    const asOf = world.instants[i] as number;
    clock.t = Math.max(clock.t, asOf);
    const before = new Set(world.rows().map((r) => r.id));
    world.plan(i);
    for (const r of world.rows()) if (!before.has(r.id)) planned.set(r.id, r);
    if (night.sendAfterRun[i]) await send();
    const next = world.instants[i + 1] ?? asOf + DRAIN_MS;
    await stepUntil(next, i);
  }
  const byKey = new Map<string, OutboxRecord>();
  for (const r of world.rows("decision = 'send' OR state = 'suppressed'")) {
    if (r.channel === null) continue;
    const run = world.runOf(r.run_id);
    byKey.set(messageKey(run.campaign.id, run.slot, r.member_id, r.action), r);
  }
  return { world, calls, byKey, planned };
}
