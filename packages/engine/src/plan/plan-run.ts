import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition } from "@patron/dsl";
import { audienceQuery, type AudienceOptions } from "../audience/sql/select.js";
import type { VariableKind } from "../render/variables.js";
import type { Db } from "../store/store.js";
import { sendPlans, type Decision, type RenderFn } from "./decide.js";
import type { CouponIssuer } from "./coupons.js";
import { addFunnel, countDecision, emptyFunnel, type Funnel } from "./funnel.js";
import { openPages, writeAudience, type Audience } from "./members.js";
import { pageDecider, pageReadOptions, type PagePlanning } from "./page-decider.js";

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
  /**
   * The project `render` was made from (createPlanner): a run's writing thread compiles the same
   * templates from it to plan pages too (runs/outbox-sink.ts). Absent: only this thread plans.
   */
  readonly project?: ProjectRecipe;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What another thread needs to render as `render` does: the config and the link-signing secret. */
export interface ProjectRecipe {
  readonly config: PatronConfig;
  readonly signingSecret?: string;
}

/** What the decisions of a planning go to: the outbox (a run) or a report (a dry run). */
export interface DecisionSink {
  /**
   * The sink's writing thread may plan pages too: the audience is then written where its
   * connection can read it (members.ts).
   */
  readonly sharesPlanning?: boolean;
  /**
   * Called once before the first page. A sink whose writing thread plans pages too returns the
   * claims both threads take pages from: planInto then plans the pages it claims.
   */
  begin?(audience: Audience): PageClaims | undefined;
  /** Called with each page of decisions (in the order of the pages claimed); a run writes each in one transaction. */
  page(decisions: readonly Decision[]): void;
  /** After planInto's last page: waits until the pages planned elsewhere are decided, and gives their funnel. */
  end?(): Funnel | undefined;
  /** planInto failed: nothing more is planned elsewhere. */
  abort?(): void;
}

/** Pages shared out between two planning threads. */
export interface PageClaims {
  /** The next page to plan (the audience's page count or more: none is left). */
  next(): number;
  /** Members decided by the other thread so far, for progress. */
  decidedElsewhere(): number;
}

/**
 * Streams a campaign's audience through the decisions: pages of members are read, decided and
 * handed to the sink, so memory does not grow with the audience. `coupons` issues codes (a run)
 * or previews them (a dry run). Returns the funnel.
 */
export function planInto(input: PlanInput, sink: DecisionSink, coupons: CouponIssuer, skipDecidedIn?: number): Funnel {
  const plans = sendPlans(input.campaign, input.config.coupons);
  const planning = pagePlanning(input);
  const options = pageReadOptions(planning, plans, skipDecidedIn);
  const query = audienceQuery(input.db, input.campaign.rule.condition, input.audience, true);
  const audience = writeAudience(input.db, query, { ...options, shared: sink.sharesPlanning === true });
  try {
    const claims = sink.begin?.(audience);
    let own = 0;
    const next = claims ? () => claims.next() : () => own++;
    const decidePage = pageDecider(planning, plans, coupons);
    const funnel = emptyFunnel(audience.size);
    const pages = openPages(input.db, audience, options);
    let done = 0;
    try {
      for (let k = next(); k < audience.pages; k = next()) {
        const members = pages.page(k);
        const decisions = decidePage(members);
        for (const decision of decisions) countDecision(funnel, decision);
        sink.page(decisions);
        done += members.length;
        input.onProgress?.(done + (claims?.decidedElsewhere() ?? 0), audience.size);
      }
    } finally {
      pages.close();
    }
    const elsewhere = sink.end?.();
    if (elsewhere) {
      addFunnel(funnel, elsewhere);
      input.onProgress?.(audience.size, audience.size);
    }
    return funnel;
  } catch (error) {
    sink.abort?.();
    throw error;
  } finally {
    audience.close();
  }
}

/** What deciding pages needs of a planning's input. */
function pagePlanning(input: PlanInput): PagePlanning {
  return {
    db: input.db,
    config: input.config,
    campaign: input.campaign,
    render: input.render,
    asOf: input.audience.asOf,
    needsExpiring: input.needsExpiring,
    ...(input.fields ? { fields: input.fields } : {}),
  };
}
