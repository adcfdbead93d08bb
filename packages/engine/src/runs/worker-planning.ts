import type { CampaignDefinition } from "@patron/dsl";
import type { PatronConfig } from "@patron/config";
import type { CouponIssuer } from "../plan/coupons.js";
import { sendPlans } from "../plan/decide.js";
import { countDecision, emptyFunnel, type Funnel } from "../plan/funnel.js";
import { openPages, type Audience } from "../plan/members.js";
import { pageDecider, pageReadOptions } from "../plan/page-decider.js";
import { compileProject } from "../plan/prepare.js";
import type { Db } from "../store/store.js";
import { outboxPage, rowCount, type OutboxPage, type RunKeys } from "./outbox-pages.js";

/*
 * The pages a run's writing thread plans itself (runs/outbox-worker.ts): the same templates,
 * compiled here from the project's config, and the same page decider as the planning thread's.
 * Loaded only by a writing thread that plans: a thread that only writes does not load the DSL and
 * template compiler this needs.
 */

/** What the writing thread is given to plan pages: all of it crosses threads by structured clone. */
export interface WorkerPlanning {
  readonly config: PatronConfig;
  readonly campaign: CampaignDefinition;
  readonly signingSecret?: string;
}

/** The pages of one audience as the writing thread plans them, counted into its own funnel. */
export interface WorkerPages {
  plan(k: number): OutboxPage;
  /** Members decided, rows made and the funnel of the pages planned here. */
  readonly done: { members: number; rows: number; readonly funnel: Funnel };
  close(): void;
}

/** Only campaigns without coupons are planned on two threads: codes and caps are handed out in one place. */
const NO_COUPONS: CouponIssuer = {
  issue() {
    throw new Error("internal: a campaign that issues coupons is planned on the planning thread alone");
  },
  release() {},
};

export function workerPages(db: Db, run: RunKeys, planning: WorkerPlanning, audience: Pick<Audience, "file" | "pageSize">): WorkerPages {
  const { config, campaign } = planning;
  const project = compileProject(config, planning.signingSecret);
  const plans = sendPlans(campaign, config.coupons);
  const pagePlanning = {
    db,
    config,
    campaign,
    render: project.renderFn(campaign.id, run.asOf),
    asOf: run.asOf,
    needsExpiring: project.needsExpiring,
    fields: project.compiled.settings.fields,
  };
  const pages = openPages(db, audience, pageReadOptions(pagePlanning, plans));
  const decide = pageDecider(pagePlanning, plans, NO_COUPONS);
  const done = { members: 0, rows: 0, funnel: emptyFunnel(0) };
  return {
    plan(k) {
      const members = pages.page(k);
      const decisions = decide(members);
      for (const decision of decisions) countDecision(done.funnel, decision);
      const page = outboxPage(run, decisions);
      done.members += members.length;
      done.rows += rowCount(page);
      return page;
    },
    done,
    close: () => pages.close(),
  };
}
