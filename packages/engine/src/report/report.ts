import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import type { Funnel } from "../plan/funnel.js";
import { runFunnel } from "../runs/run.js";
import type { Db } from "../store/store.js";
import { formatInstant } from "../time/as-of.js";
import { measureGoal, type GroupConversion, type Uplift } from "./conversions.js";
import { runCoupons, type CouponReport } from "./coupons.js";
import { deliveryReport, type DeliveryReport } from "./delivery.js";
import { goalText } from "./goal.js";
import { loyaltyKpis, type LoyaltyKpis } from "./loyalty.js";

/*
 * `patron report`: per run of a campaign (or of every campaign) in a period, the audience, the
 * funnel, what became of the messages, goal conversions of treatment and holdout with the
 * uplift, coupon redemption; and the loyalty KPIs of the same period. The shape is what
 * `--format json` prints (documented in docs/report.md): instants as ISO 8601 in the business
 * zone, rates as fractions rounded to 6 decimals, money rounded to 2.
 *
 * What is replayed at an earlier --as-of: runs planned after it are left out, and purchases,
 * members and redemptions stamped after it do not exist. What is not: the state of each message
 * (sent, delivered, failed) is the one recorded now — the outbox keeps no history of it.
 */

export const DEFAULT_PERIOD_DAYS = 30;
export const DEFAULT_CHURN_DAYS = 90;
const DAY_MS = 86_400_000;

export interface ReportOptions {
  readonly asOf: number;
  /** Start of the period (exclusive); default asOf − 30 days. */
  readonly from?: number;
  /** Days without a purchase after which a member counts as churned; default 90. */
  readonly churnDays?: number;
  /** Only this campaign's runs; every campaign's when absent. */
  readonly campaign?: string;
  /** The campaigns of the repository as checked now: goals are read from them. */
  readonly campaigns: readonly CampaignDefinition[];
  readonly env: Pick<CheckEnvironment, "tiers" | "fields" | "timezone">;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
}

export interface GoalReport {
  /** The goal as written in the campaign file. */
  readonly condition: string;
  /** Purchases after this instant (the run's as-of) count … */
  readonly from: string;
  /** … until the goal's window closes here … */
  readonly end: string;
  /** … and were counted up to here (the end, or the report's as-of while the window is open). */
  readonly until: string;
  readonly complete: boolean;
  readonly treatment: GroupConversion;
  readonly holdout: GroupConversion;
  readonly targeted: GroupConversion;
  readonly uplift: Uplift | null;
  readonly upliftIntentToTreat: Uplift | null;
}

export interface RunReport {
  readonly campaign: string;
  /** The run's id in the store. */
  readonly run: number;
  readonly slot: string;
  readonly asOf: string;
  readonly state: "planning" | "planned";
  readonly funnel: Funnel;
  readonly delivery: DeliveryReport;
  /** null when the campaign has no goal, or is not in the repository now (see notes). */
  readonly goal: GoalReport | null;
  readonly coupons: CouponReport;
  /** Anything a reader must know to trust the numbers above. */
  readonly notes: readonly string[];
}

export interface LoyaltyReport extends Omit<LoyaltyKpis, "from" | "to"> {
  readonly from: string;
  readonly to: string;
}

export interface Report {
  readonly asOf: string;
  readonly timezone: string;
  /** Start of the period (exclusive): runs planned and KPIs counted in (from, asOf]. */
  readonly from: string;
  /** The campaign asked for, or null for all. */
  readonly campaign: string | null;
  readonly runs: readonly RunReport[];
  readonly loyalty: LoyaltyReport;
}

interface RunRecord {
  id: number;
  campaign: string;
  slot: number;
  as_of: number;
  state: "planning" | "planned";
}

export function buildReport(db: Db, options: ReportOptions): Report {
  const { asOf } = options;
  const zone = options.env.timezone;
  const from = options.from ?? asOf - DEFAULT_PERIOD_DAYS * DAY_MS;
  const churnDays = options.churnDays ?? DEFAULT_CHURN_DAYS;
  if (!(from < asOf)) throw new RangeError(`the report's period must start before its as-of (${formatInstant(from, zone)})`);
  const iso = (at: number): string => formatInstant(at, zone);
  const byId = new Map(options.campaigns.map((c) => [c.id, c]));
  const goalContext = { env: options.env, segments: options.segments, businessZone: zone, zones: [] };

  const runs = db
    .prepare<unknown[], RunRecord>(
      `SELECT id, campaign, slot, as_of, state FROM runs
       WHERE as_of > ? AND as_of <= ?${options.campaign === undefined ? "" : " AND campaign = ?"}
       ORDER BY campaign, as_of, id`,
    )
    .all(from, asOf, ...(options.campaign === undefined ? [] : [options.campaign]));

  const runReports = runs.map((run): RunReport => {
    const campaign = byId.get(run.campaign);
    const notes: string[] = [];
    if (run.state === "planning") notes.push("planning of this run has not finished: its numbers are partial");
    if (!campaign) notes.push(`campaign "${run.campaign}" is not in the repository or does not check now: its goal is not measured`);
    const measured = campaign ? measureGoal(db, campaign, { id: run.id, asOf: run.as_of }, asOf, goalContext) : undefined;
    const goal: GoalReport | null =
      campaign && measured
        ? {
            condition: goalText(campaign) ?? "",
            from: iso(measured.window.from),
            end: iso(measured.window.end),
            until: iso(measured.window.until),
            complete: measured.complete,
            treatment: measured.treatment,
            holdout: measured.holdout,
            targeted: measured.targeted,
            uplift: measured.uplift,
            upliftIntentToTreat: measured.upliftIntentToTreat,
          }
        : null;
    if (campaign && measured && campaign.holdoutPercent === 0 && measured.holdout.members === 0) {
      notes.push("the campaign keeps no holdout: without a control group there is no uplift to measure (add holdout 10%)");
    }
    return {
      campaign: run.campaign,
      run: run.id,
      slot: iso(run.slot),
      asOf: iso(run.as_of),
      state: run.state,
      funnel: runFunnel(db, run.id),
      delivery: deliveryReport(db, run.id),
      goal,
      coupons: runCoupons(db, run.id, asOf),
      notes,
    };
  });

  const kpis = loyaltyKpis(db, from, asOf, churnDays);
  return {
    asOf: iso(asOf),
    timezone: zone,
    from: iso(from),
    campaign: options.campaign ?? null,
    runs: runReports,
    loyalty: { ...kpis, from: iso(kpis.from), to: iso(kpis.to) },
  };
}
