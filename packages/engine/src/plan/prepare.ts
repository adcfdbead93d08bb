import type { ChannelName } from "@patron/channels";
import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import { unsubscribeLinks } from "../consent/unsubscribe.js";
import { compileMessages, type CompiledMessages } from "../render/compile.js";
import type { Db } from "../store/store.js";
import type { RenderFn } from "./decide.js";
import type { PlanInput } from "./plan-run.js";
import { templateRenderFn } from "./render-member.js";

/** What planning several campaigns of one project shares: the templates, compiled once. */
export interface Planner {
  readonly compiled: CompiledMessages;
  input(campaign: CampaignDefinition, asOf: number, onProgress?: (done: number, total: number) => void): PlanInput;
}

export interface PlannerOptions {
  readonly db: Db;
  readonly config: PatronConfig;
  readonly env: CheckEnvironment;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  /**
   * Signs one-click unsubscribe links (channels.email.unsubscribeUrl). Without it (a dry run on a
   * laptop) links carry the token "preview", which `patron serve` never accepts.
   */
  readonly signingSecret?: string;
}

/** The project as planning renders it: its templates compiled once, and each campaign's RenderFn. */
export interface CompiledProject {
  readonly compiled: CompiledMessages;
  /** Whether templates use expiringPoints / expiresOn (then point lots are read once). */
  readonly needsExpiring: boolean;
  renderFn(campaign: string, asOf: number): RenderFn;
}

/**
 * Compiles a project's templates for planning. A run's writing thread compiles its own from the
 * same config and secret to plan pages too (runs/outbox-worker.ts): functions cannot cross threads.
 */
export function compileProject(config: PatronConfig, signingSecret?: string): CompiledProject {
  const compiled = compileMessages(config);
  const needsExpiring = compiled.templates.some((t) =>
    t.analysis?.uses.some((u) => u.parts[0] === "expiringPoints" || u.parts[0] === "expiresOn"),
  );
  const base = config.channels.email?.unsubscribeUrl;
  const link =
    base === undefined
      ? undefined
      : signingSecret === undefined
        ? (member: string, channel: ChannelName) => previewLink(base, member, channel)
        : unsubscribeLinks(base, signingSecret);
  return {
    compiled,
    needsExpiring,
    renderFn: (campaign, asOf) =>
      templateRenderFn({ compiled, campaign, asOf, businessZone: config.timezone, ...(link ? { unsubscribeUrl: link } : {}) }),
  };
}

/** Compiles the templates once and builds each campaign's planning input. */
export function createPlanner(options: PlannerOptions): Planner {
  const { db, config, env, segments } = options;
  const project = compileProject(config, options.signingSecret);
  const recipe = { config, ...(options.signingSecret === undefined ? {} : { signingSecret: options.signingSecret }) };
  return {
    compiled: project.compiled,
    input(campaign, asOf, onProgress) {
      return {
        db,
        config,
        campaign,
        audience: { env, segments, asOf },
        render: project.renderFn(campaign.id, asOf),
        needsExpiring: project.needsExpiring,
        fields: project.compiled.settings.fields,
        project: recipe,
        ...(onProgress ? { onProgress } : {}),
      };
    },
  };
}

function previewLink(base: string, member: string, channel: ChannelName): string {
  const url = new URL(base);
  url.searchParams.set("m", member);
  url.searchParams.set("c", channel);
  url.searchParams.set("t", "preview");
  return url.toString();
}
