import type { CampaignDefinition } from "@patron/dsl";
import type { Db } from "../store/store.js";
import type { VariableKind } from "../render/variables.js";
import type { CouponIssuer } from "./coupons.js";
import { decide, type DecideContext, type Decision, type RenderFn, type SendPlan } from "./decide.js";
import type { AudienceReadOptions, PlannedMember } from "./members.js";
import type { PlanConfig } from "./plan-run.js";
import { historyWindowMs, loadHistory, policiesOf } from "./policies.js";

/*
 * Deciding a page of members, as planInto does it and as a run's writing thread does for the
 * pages it plans (runs/outbox-worker.ts): one function, so both threads decide alike.
 */

/** What deciding pages needs of a planning. */
export interface PagePlanning {
  readonly db: Db;
  readonly config: PlanConfig;
  readonly campaign: CampaignDefinition;
  readonly render: RenderFn;
  /** The run's clock. */
  readonly asOf: number;
  /** Whether the templates use expiringPoints / expiresOn (then point lots are read once). */
  readonly needsExpiring: boolean;
  /** The member fields the templates show, with their kinds. */
  readonly fields?: ReadonlyMap<string, VariableKind>;
}

/** What a page reads of each member for this planning. */
export function pageReadOptions(planning: PagePlanning, plans: readonly SendPlan[], skipDecidedIn?: number): AudienceReadOptions {
  return {
    asOf: planning.asOf,
    expiring: planning.needsExpiring,
    channels: plans.flatMap((plan) => plan.via),
    businessZone: planning.config.timezone,
    ...(planning.fields ? { fields: planning.fields } : {}),
    ...(skipDecidedIn === undefined ? {} : { skipDecidedIn }),
  };
}

/** Decides pages of members: each member's history under the policies, then decide(). */
export function pageDecider(
  planning: PagePlanning,
  plans: readonly SendPlan[],
  coupons: CouponIssuer,
): (members: readonly PlannedMember[]) => Decision[] {
  const { db, campaign, asOf } = planning;
  const policies = policiesOf(campaign, planning.config);
  const window = historyWindowMs(policies);
  const since = Number.isFinite(window) ? asOf - window : Number.NEGATIVE_INFINITY;
  const noHistory: DecideContext = { asOf, businessZone: planning.config.timezone, policies };
  return (members) => {
    const decisions: Decision[] = [];
    const history =
      window > 0
        ? loadHistory(
            db,
            members.map((m) => m.id),
            campaign.id,
            since,
          )
        : undefined;
    for (const member of members) {
      const past = history?.get(member.id);
      const ctx: DecideContext = past ? { ...noHistory, history: past } : noHistory;
      for (const decision of decide(campaign, plans, member, planning.render, coupons, ctx)) decisions.push(decision);
    }
    return decisions;
  };
}
