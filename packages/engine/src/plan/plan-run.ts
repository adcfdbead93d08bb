import type { ChannelName } from "@patron/channels";
import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition } from "@patron/dsl";
import { audienceQuery, type AudienceOptions } from "../audience/sql/select.js";
import type { Db } from "../store/store.js";
import { decide, sendPlans, type Decision, type RenderFn } from "./decide.js";
import type { CouponIssuer } from "./coupons.js";
import { emptyFunnel, type Funnel } from "./funnel.js";
import { openAudience } from "./members.js";

/** Everything planning one campaign needs. */
export interface PlanInput {
  readonly db: Db;
  readonly config: Pick<PatronConfig, "coupons">;
  readonly campaign: CampaignDefinition;
  /** Tiers, fields, segments for the audience query; its asOf is the run's clock. */
  readonly audience: AudienceOptions;
  readonly render: RenderFn;
  /** Whether the templates use expiringPoints / expiresOn (then point lots are read once). */
  readonly needsExpiring: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the decisions of a planning go to: the outbox (a run) or a report (a dry run). */
export interface DecisionSink {
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
    ...(skipDecidedIn === undefined ? {} : { skipDecidedIn }),
  });
  const funnel = emptyFunnel(pages.size);
  try {
    let done = 0;
    for (let members = pages.next(); members.length > 0; members = pages.next()) {
      const decisions: Decision[] = [];
      for (const member of members) {
        for (const decision of decide(input.campaign, plans, member, input.render, coupons)) {
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
  if (decision.kind === "send") funnel.planned[decision.channel as ChannelName]++;
  else funnel.suppressed[decision.reason]++;
}
