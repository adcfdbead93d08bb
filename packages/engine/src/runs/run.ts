import type { ChannelName } from "@patron/channels";
import type { Decision } from "../plan/decide.js";
import { StoreCouponIssuer } from "../plan/coupons.js";
import { emptyFunnel, type Funnel } from "../plan/funnel.js";
import { planInto, type PlanInput } from "../plan/plan-run.js";
import { withSmallPageCache } from "../store/page-cache.js";
import type { Db } from "../store/store.js";

/** Points awarded by a run carry it as their source, so a resumed or repeated planning finds them. */
export function awardSource(campaign: string, slot: number): string {
  return `campaign:${campaign}@${new Date(slot).toISOString()}`;
}

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
  readonly elapsedMs: number;
}

const RUN_COLUMNS = "id, campaign, slot, as_of AS asOf, state";

/**
 * Plans one run — a campaign at a due slot — into the outbox. Every page of decisions is written
 * in one transaction (INSERT OR IGNORE on run, member and action), so:
 * - planning a slot that was planned before adds nothing;
 * - a planning cut short (crash, kill) resumes: the members decided already are skipped, and the
 *   run's own as-of (stored when it started) is the clock again, so decisions are the same;
 * - two processes planning the same slot at once cannot write a member twice.
 */
export function planRun(input: PlanInput, slot: number, file: string): PlanRunResult {
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
    return { run, alreadyPlanned: true, resumed: false, funnel: runFunnel(db, run.id), elapsedMs: performance.now() - started };
  }
  const coupons = new StoreCouponIssuer(db, run.asOf);
  const write = outboxWriter(db, run, coupons);
  planInto({ ...input, audience: { ...input.audience, asOf: run.asOf } }, { page: write }, coupons, existing.created ? undefined : run.id);
  // IMMEDIATE: this reads, then writes; a deferred transaction could not upgrade to a write while
  // another process planning the same slot wrote meanwhile (SQLITE_BUSY, without waiting).
  // Counting reads every row of the run once: a small page cache will do (store/page-cache.ts).
  // The funnel is counted once, and its audience recorded on the run in the same transaction.
  const funnel = withSmallPageCache(db, () =>
    db
      .transaction(() => {
        const counted = runFunnel(db, run.id);
        db.prepare("UPDATE runs SET state = 'planned', planned_at = ?, audience = ? WHERE id = ?").run(
          Date.now(),
          counted.audience,
          run.id,
        );
        return counted;
      })
      .immediate(),
  );
  return {
    run: { ...run, state: "planned" },
    alreadyPlanned: false,
    resumed: !existing.created,
    funnel,
    elapsedMs: performance.now() - started,
  };
}

const OUTBOX_COLUMNS =
  "run_id, member_id, action, decision, marketing, planned_for, zone, deferred_until, channel, message, address, content, state, not_before, error";
const COLUMN_COUNT = OUTBOX_COLUMNS.split(",").length;
const ROW = `(${Array(COLUMN_COUNT).fill("?").join(", ")})`;
/** Rows per INSERT statement: one statement per row cost more than SQLite's work for it. */
const ROWS_PER_INSERT = 50;

function outboxWriter(db: Db, run: RunRow, coupons: StoreCouponIssuer): (decisions: readonly Decision[]) => void {
  const issue = db.prepare("INSERT INTO coupon_codes (code, coupon, member_id, run_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
  const insertOne = db.prepare(`INSERT OR IGNORE INTO outbox (${OUTBOX_COLUMNS}) VALUES ${ROW}`);
  const insertMany = db.prepare(`INSERT OR IGNORE INTO outbox (${OUTBOX_COLUMNS}) VALUES ${Array(ROWS_PER_INSERT).fill(ROW).join(", ")}`);
  const source = awardSource(run.campaign, run.slot);
  const awarded = db.prepare("SELECT EXISTS (SELECT 1 FROM point_lots WHERE member_id = ? AND source = ?)").pluck();
  const award = db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at, source) VALUES (?, ?, ?, NULL, ?)");
  const writePage = db.transaction((decisions: readonly Decision[]) => {
    // One flat array of every row's values, bound ROWS_PER_INSERT rows a statement.
    const values: unknown[] = [];
    for (const d of decisions) {
      if (d.kind === "award") {
        if (awarded.get(d.member.id, source) === 0) award.run(d.member.id, d.points, run.asOf, source);
        if (d.recordRow)
          values.push(run.id, d.member.id, 0, "award-only", 0, run.asOf, null, null, null, null, null, null, "suppressed", 0, null);
      } else if (d.kind === "send") {
        if (d.coupon) issue.run(d.coupon.code, d.coupon.name, d.member.id, run.id, run.asOf, d.coupon.expiresAt);
        // not_before only holds a message back (quiet hours now, retry backoff later): due at once otherwise.
        const held = d.deferredUntil ?? null;
        values.push(
          run.id,
          d.member.id,
          d.action,
          "send",
          d.marketing ? 1 : 0,
          run.asOf,
          d.zone,
          held,
          d.channel,
          d.message,
          d.address,
          JSON.stringify(d.content),
          "queued",
          held ?? 0,
          null,
        );
      } else {
        values.push(
          run.id,
          d.member.id,
          d.action,
          d.reason,
          0,
          run.asOf,
          null,
          null,
          null,
          null,
          null,
          null,
          "suppressed",
          0,
          d.detail ?? null,
        );
      }
    }
    const many = ROWS_PER_INSERT * COLUMN_COUNT;
    let i = 0;
    for (; i + many <= values.length; i += many) insertMany.run(values.slice(i, i + many));
    for (; i < values.length; i += COLUMN_COUNT) insertOne.run(values.slice(i, i + COLUMN_COUNT));
  });
  return (decisions) => {
    writePage.immediate(decisions); // reads (awarded?) before it writes: IMMEDIATE, see planRun
    coupons.committed(decisions.flatMap((d) => (d.kind === "send" && d.coupon ? [d.coupon.code] : [])));
  };
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
