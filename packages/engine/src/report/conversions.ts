import type { CampaignDefinition } from "@patron/dsl";
import type { Db } from "../store/store.js";
import { compileGoal, goalWindow, type GoalContext, type GoalWindow } from "./goal.js";
import { differenceInterval, wilsonInterval } from "./intervals.js";
import { ratio, round } from "./numbers.js";

/*
 * Goal conversions of one run, per group of its audience (the members of its outbox rows):
 * - treatment: members sent a message — at least one outbox row the provider accepted (sent);
 * - holdout: members kept back as the control group (decision "holdout");
 * - targeted: every member not held out, sent or not (no consent, capped, failed, …).
 * Holdout assignment is random within the audience, so targeted vs holdout is the unbiased
 * (intent-to-treat) comparison. Treatment vs holdout — the uplift the report leads with — also
 * compares members with consent and an address against all kinds of members, and so may carry
 * some of the difference between those members, not only the campaign's effect; both are given.
 */

export interface GroupConversion {
  readonly members: number;
  readonly conversions: number;
  /** conversions / members; null for an empty group. */
  readonly rate: number | null;
  /** Wilson score 95% interval of the rate; null for an empty group. */
  readonly ci: readonly [number, number] | null;
}

export interface Uplift {
  /** Difference of rates (a fraction: 0.05 is 5 percentage points). */
  readonly difference: number;
  /** Newcombe hybrid score 95% interval of the difference. */
  readonly ci: readonly [number, number];
  /** The interval leaves out 0. */
  readonly significant: boolean;
}

export interface GoalMeasurement {
  readonly window: GoalWindow;
  /** The window has closed by the report's as-of: the numbers are final. */
  readonly complete: boolean;
  readonly treatment: GroupConversion;
  readonly holdout: GroupConversion;
  readonly targeted: GroupConversion;
  /** treatment − holdout; null when either group is empty. */
  readonly uplift: Uplift | null;
  /** targeted − holdout; null when either group is empty. */
  readonly upliftIntentToTreat: Uplift | null;
}

interface GroupRow {
  treated: number;
  held: number;
  members: number;
  conversions: number;
}

export function measureGoal(
  db: Db,
  campaign: CampaignDefinition,
  run: { readonly id: number; readonly asOf: number },
  reportAsOf: number,
  ctx: GoalContext,
): GoalMeasurement | undefined {
  const goal = campaign.goal;
  if (!goal) return undefined;
  const window = goalWindow(goal, run.asOf, reportAsOf, ctx.businessZone);
  const converted = compileGoal(goal, run.asOf, reportAsOf, ctx);
  const rows = db
    .prepare<unknown[], GroupRow>(
      `SELECT g.treated, g.held, count(*) AS members, total(CASE WHEN ${converted.sql} THEN 1 ELSE 0 END) AS conversions
       FROM (
         SELECT member_id, max(state = 'sent') AS treated, max(decision = 'holdout') AS held
         FROM outbox WHERE run_id = ? GROUP BY member_id
       ) AS g
       LEFT JOIN members AS m ON m.id = g.member_id
       GROUP BY g.treated, g.held`,
    )
    .all(...converted.params, run.id);
  const sum = (pick: (r: GroupRow) => boolean): { members: number; conversions: number } =>
    rows.filter(pick).reduce((a, r) => ({ members: a.members + r.members, conversions: a.conversions + r.conversions }), {
      members: 0,
      conversions: 0,
    });
  const treatment = sum((r) => r.treated === 1);
  const holdout = sum((r) => r.held === 1);
  const targeted = sum((r) => r.held !== 1);
  return {
    window,
    complete: window.until >= window.end,
    treatment: group(treatment),
    holdout: group(holdout),
    targeted: group(targeted),
    uplift: uplift(treatment, holdout),
    upliftIntentToTreat: uplift(targeted, holdout),
  };
}

function group({ members, conversions }: { members: number; conversions: number }): GroupConversion {
  const ci = wilsonInterval(conversions, members);
  return { members, conversions, rate: ratio(conversions, members), ci: ci ? [round(ci.lower, 6), round(ci.upper, 6)] : null };
}

function uplift(a: { members: number; conversions: number }, b: { members: number; conversions: number }): Uplift | null {
  const ci = differenceInterval(a.conversions, a.members, b.conversions, b.members);
  if (!ci) return null;
  return {
    difference: round(a.conversions / a.members - b.conversions / b.members, 6),
    ci: [round(ci.lower, 6), round(ci.upper, 6)],
    significant: ci.lower > 0 || ci.upper < 0,
  };
}
