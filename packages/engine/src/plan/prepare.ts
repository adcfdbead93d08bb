import type { ChannelName } from "@patron/channels";
import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import { unsubscribeLinks } from "../consent/unsubscribe.js";
import { compileMessages, type CompiledMessages } from "../render/compile.js";
import type { Db } from "../store/store.js";
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

/** Compiles the templates once and builds each campaign's planning input. */
export function createPlanner(options: PlannerOptions): Planner {
  const { db, config, env, segments } = options;
  const compiled = compileMessages(config);
  const needsExpiring = compiled.templates.some((t) =>
    t.analysis?.uses.some((u) => u.parts[0] === "expiringPoints" || u.parts[0] === "expiresOn"),
  );
  const base = config.channels.email?.unsubscribeUrl;
  const link =
    base === undefined
      ? undefined
      : options.signingSecret === undefined
        ? (member: string, channel: ChannelName) => previewLink(base, member, channel)
        : unsubscribeLinks(base, options.signingSecret);
  return {
    compiled,
    input(campaign, asOf, onProgress) {
      return {
        db,
        config,
        campaign,
        audience: { env, segments, asOf },
        render: templateRenderFn({
          compiled,
          campaign: campaign.id,
          asOf,
          businessZone: config.timezone,
          ...(link ? { unsubscribeUrl: link } : {}),
        }),
        needsExpiring,
        fields: compiled.settings.fields,
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
