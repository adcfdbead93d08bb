import type { ChannelName } from "@patron/channels";
import { StoreCouponIssuer } from "../plan/coupons.js";
import { sendPlans } from "../plan/decide.js";
import { emptyFunnel, type Funnel } from "../plan/funnel.js";
import { planInto, type PlanInput } from "../plan/plan-run.js";
import { withSmallPageCache } from "../store/page-cache.js";
import type { Db } from "../store/store.js";
import { awardSource } from "./outbox-pages.js";
import { openOutboxSink, type Writing } from "./outbox-sink.js";

export { awardSource };

/** The key a provider sees for a message: the same for every attempt and every re-plan. */
export function messageKey(campaign: string, slot: number, member: string, action: number): string {
  return `${campaign}/${new Date(slot).toISOString()}/${member}${action === 0 ? "" : `/${action}`}`;
}

export interface RunRow {
  readonly id: number;
  readonly campaign: string;
  readonly slot: number;
  readonly asOf: number;
  readonly state: "planning" | "planned";
}

export interface PlanRunResult {
  readonly run: RunRow;
  /** The slot had been planned before: nothing was added. */
  readonly alreadyPlanned: boolean;
  /** Planning had been interrupted (a crash) and was resumed. */
  readonly resumed: boolean;
  /** The run's funnel as the outbox records it (all of it, also from before a resume). */
  readonly funnel: Funnel;
  /**
   * Members this planning decided, by thread: the writing thread decides pages too when it can
   * (runs/outbox-sink.ts). Both 0 for a slot planned before.
   */
  readonly decided: { readonly planningThread: number; readonly writingThread: number };
  readonly elapsedMs: number;
}

const RUN_COLUMNS = "id, campaign, slot, as_of AS asOf, state";
/**
 * A store with more members than this (by largest rowid: one index step) starts the writing
 * thread before the audience is selected: it loads and compiles the templates meanwhile, instead
 * of while the planning thread waits with its first pages.
 */
const LIKELY_LARGE_MEMBERS = 10_000;

/**
 * Plans one run — a campaign at a due slot — into the outbox. Every page of decisions is written
 * in one transaction (INSERT OR IGNORE on run, member and action), so:
 * - planning a slot that was planned before adds nothing;
 * - a planning cut short (crash, kill) resumes: the members decided already are skipped, and the
 *   run's own as-of (stored when it started) is the clock again, so decisions are the same;
 * - two processes planning the same slot at once cannot write a member twice.
 */
export function planRun(
  input: PlanInput,
  slot: number,
  file: string,
  options: {
    readonly writing?: Writing;
    /** How long a silent writing thread is waited for (60 s). */
    readonly writerStallSeconds?: number;
  } = {},
): PlanRunResult {
  const started = performance.now();
  const { db, campaign } = input;
  const existing = db
    .transaction(() => {
      const found = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE campaign = ? AND slot = ?`).get(campaign.id, slot) as
        RunRow | undefined;
      if (found) return { run: found, created: false };
      const id = Number(
        db
          .prepare("INSERT INTO runs (campaign, slot, as_of, file, state, started_at) VALUES (?, ?, ?, ?, 'planning', ?)")
          .run(campaign.id, slot, input.audience.asOf, file, Date.now()).lastInsertRowid,
      );
      return { run: { id, campaign: campaign.id, slot, asOf: input.audience.asOf, state: "planning" as const }, created: true };
    })
    .immediate();
  const { run } = existing;
  if (run.state === "planned") {
    return {
      run,
      alreadyPlanned: true,
      resumed: false,
      funnel: runFunnel(db, run.id),
      decided: { planningThread: 0, writingThread: 0 },
      elapsedMs: performance.now() - started,
    };
  }
  const coupons = new StoreCouponIssuer(db, run.asOf);
  // Pages are written beside the planning, on a thread of their own when there can be one, which
  // plans pages too when it can make the same renders, the campaign hands out no coupon codes,
  // and the audience is likely large (or the thread was asked for): loading the DSL and compiling
  // the templates there takes longer than planning a few thousand members here.
  const likelyLarge = Number(db.prepare("SELECT coalesce(max(rowid), 0) FROM members").pluck().get()) > LIKELY_LARGE_MEMBERS;
  const issuesCodes = sendPlans(campaign, input.config.coupons).some((plan) => plan.coupon !== undefined);
  const planning =
    input.project && !issuesCodes && (likelyLarge || options.writing === "worker")
      ? {
          config: input.project.config,
          campaign,
          ...(input.project.signingSecret === undefined ? {} : { signingSecret: input.project.signingSecret }),
        }
      : undefined;
  const sink = openOutboxSink(db, run, coupons, {
    ...(options.writing === undefined ? {} : { writing: options.writing }),
    ...(options.writerStallSeconds === undefined ? {} : { stallSeconds: options.writerStallSeconds }),
    ...(planning ? { planning } : {}),
    likelyLarge,
  });
  let decided: Funnel;
  let written: ReturnType<typeof sink.close>;
  try {
    decided = planInto({ ...input, audience: { ...input.audience, asOf: run.asOf } }, sink, coupons, existing.created ? undefined : run.id);
    written = sink.close();
  } catch (error) {
    sink.abort();
    throw error;
  }
  // IMMEDIATE: this reads, then writes; a deferred transaction could not upgrade to a write while
  // another process planning the same slot wrote meanwhile (SQLITE_BUSY, without waiting).
  // The funnel is the outbox's, and its audience is recorded on the run in the same transaction.
  // When this planning wrote every row of the run — it created the run, the outbox added every
  // row it was given, and holds no other — the decisions' own count is that funnel; otherwise
  // (a resumed planning, another process planning the slot too) it is counted from the outbox,
  // which reads every row of the run once: a small page cache will do (store/page-cache.ts).
  const funnel = withSmallPageCache(db, () =>
    db
      .transaction(() => {
        const whole =
          existing.created && written.added === written.rows && runRows(db, run.id) === written.rows ? decided : runFunnel(db, run.id);
        db.prepare("UPDATE runs SET state = 'planned', planned_at = ?, audience = ? WHERE id = ?").run(Date.now(), whole.audience, run.id);
        return whole;
      })
      .immediate(),
  );
  return {
    run: { ...run, state: "planned" },
    alreadyPlanned: false,
    resumed: !existing.created,
    funnel,
    decided: { planningThread: decided.audience - written.writerDecided, writingThread: written.writerDecided },
    elapsedMs: performance.now() - started,
  };
}

/** The outbox rows of a run. */
function runRows(db: Db, runId: number): number {
  return db.prepare("SELECT count(*) FROM outbox WHERE run_id = ?").pluck().get(runId) as number;
}

/** A run's funnel, counted from its outbox rows. */
export function runFunnel(db: Db, runId: number): Funnel {
  const audience = db.prepare("SELECT count(DISTINCT member_id) FROM outbox WHERE run_id = ?").pluck().get(runId) as number;
  const funnel = emptyFunnel(audience);
  const rows = db.prepare("SELECT decision, channel, count(*) AS n FROM outbox WHERE run_id = ? GROUP BY decision, channel").all(runId) as {
    decision: string;
    channel: ChannelName | null;
    n: number;
  }[];
  const run = db.prepare("SELECT campaign, slot FROM runs WHERE id = ?").get(runId) as { campaign: string; slot: number } | undefined;
  if (run)
    funnel.awarded = db
      .prepare("SELECT count(*) FROM point_lots WHERE source = ?")
      .pluck()
      .get(awardSource(run.campaign, run.slot)) as number;
  funnel.deferred = db
    .prepare("SELECT count(*) FROM outbox WHERE run_id = ? AND decision = 'send' AND deferred_until IS NOT NULL")
    .pluck()
    .get(runId) as number;
  for (const row of rows) {
    if (row.decision === "send" && row.channel) funnel.planned[row.channel] += row.n;
    else if (row.decision in funnel.suppressed) funnel.suppressed[row.decision as keyof Funnel["suppressed"]] += row.n;
  }
  return funnel;
}

export function findRun(db: Db, campaign: string, slot: number): RunRow | undefined {
  return db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE campaign = ? AND slot = ?`).get(campaign, slot) as RunRow | undefined;
}

/** The slot of the campaign's most recent run, if any. */
export function lastRunSlot(db: Db, campaign: string): number | undefined {
  const slot = db.prepare("SELECT max(slot) FROM runs WHERE campaign = ?").pluck().get(campaign) as number | null;
  return slot ?? undefined;
}
