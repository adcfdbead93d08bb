import type { ChannelName } from "@patron/channels";
import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition } from "@patron/dsl";
import { audienceQuery, type AudienceOptions } from "../audience/sql/select.js";
import type { VariableKind } from "../render/variables.js";
import type { Db } from "../store/store.js";
import { decide, sendPlans, type DecideContext, type Decision, type RenderFn } from "./decide.js";
import { historyWindowMs, loadHistory, policiesOf } from "./policies.js";
import type { CouponIssuer } from "./coupons.js";
import { emptyFunnel, type Funnel } from "./funnel.js";
import { openAudience } from "./members.js";

/** What planning reads of patron.yaml. */
export interface PlanConfig {
  readonly timezone: string;
  readonly coupons: PatronConfig["coupons"];
  readonly messages: readonly Pick<PatronConfig["messages"][number], "name" | "purpose">[];
  readonly frequencyCap?: PatronConfig["frequencyCap"];
  readonly quietHours?: PatronConfig["quietHours"];
}

/** Everything planning one campaign needs. */
export interface PlanInput {
  readonly db: Db;
  readonly config: PlanConfig;
  readonly campaign: CampaignDefinition;
  /** Tiers, fields, segments for the audience query; its asOf is the run's clock. */
  readonly audience: AudienceOptions;
  readonly render: RenderFn;
  /** Whether the templates use expiringPoints / expiresOn (then point lots are read once). */
  readonly needsExpiring: boolean;
  /** The member fields the templates show, with their kinds (read for each member; none when absent). */
  readonly fields?: ReadonlyMap<string, VariableKind>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the decisions of a planning go to: the outbox (a run) or a report (a dry run). */
export interface DecisionSink {
  /** Called once before the first page, with how many pages of members the audience makes. */
  begin?(pages: number): void;
  /** Called with each page of decisions; a run writes them in one transaction. */
  page(decisions: readonly Decision[]): void;
}

/**
 * Streams a campaign's audience through the decisions: pages of members are read, decided and
 * handed to the sink, so memory does not grow with the audience. `coupons` issues codes (a run)
 * or previews them (a dry run). Returns the funnel.
 */
export function planInto(input: PlanInput, sink: DecisionSink, coupons: CouponIssuer, skipDecidedIn?: number): Funnel {
  const plans = sendPlans(input.campaign, input.config.coupons);
  const query = audienceQuery(input.db, input.campaign.rule.condition, input.audience);
  const pages = openAudience(input.db, query, {
    asOf: input.audience.asOf,
    expiring: input.needsExpiring,
    channels: plans.flatMap((plan) => plan.via),
    businessZone: input.config.timezone,
    ...(input.fields ? { fields: input.fields } : {}),
    ...(skipDecidedIn === undefined ? {} : { skipDecidedIn }),
  });
  sink.begin?.(Math.ceil(pages.size / pages.pageSize));
  const funnel = emptyFunnel(pages.size);
  const policies = policiesOf(input.campaign, input.config);
  const window = historyWindowMs(policies);
  const asOf = input.audience.asOf;
  const noHistory: DecideContext = { asOf, businessZone: input.config.timezone, policies };
  try {
    let done = 0;
    for (let members = pages.next(); members.length > 0; members = pages.next()) {
      const decisions: Decision[] = [];
      const history =
        window > 0
          ? loadHistory(
              input.db,
              members.map((m) => m.id),
              input.campaign.id,
              Number.isFinite(window) ? asOf - window : Number.NEGATIVE_INFINITY,
            )
          : undefined;
      for (const member of members) {
        const past = history?.get(member.id);
        const ctx: DecideContext = past ? { ...noHistory, history: past } : noHistory;
        for (const decision of decide(input.campaign, plans, member, input.render, coupons, ctx)) {
          decisions.push(decision);
          count(funnel, decision);
        }
      }
      sink.page(decisions);
      done += members.length;
      input.onProgress?.(done, pages.size);
    }
  } finally {
    pages.close();
  }
  return funnel;
}

function count(funnel: Funnel, decision: Decision): void {
  if (decision.kind === "award") {
    funnel.awarded++;
    return;
  }
  if (decision.kind === "send") {
    funnel.planned[decision.channel as ChannelName]++;
    if (decision.deferredUntil !== undefined) funnel.deferred++;
  } else funnel.suppressed[decision.reason]++;
}
