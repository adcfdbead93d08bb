import type { Channel, ChannelName } from "@patron/channels";
import {
  chooseSlot,
  createPlanner,
  dispatch,
  formatInstant,
  planRun,
  type DispatchEvent,
  type DispatchSummary,
  type Funnel,
  type Db,
} from "@patron/engine";
import type { PatronConfig, QuietHours } from "@patron/config";
import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import type { Io } from "../io.js";
import { chooseCampaigns } from "../project/campaigns.js";
import { openChannels } from "../project/channels.js";
import { openData, type DataOptions } from "../project/data.js";
import { UsageError } from "../project/files.js";
import { funnelLines } from "../output/funnel-text.js";
import { RunLog } from "../output/run-log.js";

export interface RunOptions extends DataOptions {
  readonly config?: string;
  /** Only what the schedules say is due, and only once per slot. */
  readonly due: boolean;
  /** Write every message to this file (JSON lines) instead of the providers. */
  readonly sendTo?: string;
  readonly format: "text" | "json";
}

/** The environment variable holding the secret that signs one-click unsubscribe links. */
export const SIGNING_SECRET_ENV = "PATRON_SIGNING_SECRET";

export interface PlannedRun {
  readonly campaign: string;
  readonly slot: number;
  readonly runId: number;
  readonly alreadyPlanned: boolean;
  readonly resumed: boolean;
  readonly funnel: Funnel;
}

export interface Project {
  readonly config: PatronConfig;
  readonly env: CheckEnvironment;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
}

/**
 * Plans every campaign that runs at `asOf` into the outbox (see chooseSlot for which slot) and
 * returns what was planned, plus the campaigns skipped and why. Used by `run` and `schedule`.
 */
export function planCampaigns(
  db: Db,
  project: Project,
  campaigns: readonly CampaignDefinition[],
  asOf: number,
  due: boolean,
  log: RunLog,
  signingSecret: string | undefined,
): PlannedRun[] {
  const planner = createPlanner({ db, ...project, ...(signingSecret === undefined ? {} : { signingSecret }) });
  const planned: PlannedRun[] = [];
  // Caps are shared: campaigns of higher priority decide first and take the member's allowance.
  const byPriority = [...campaigns].sort((a, b) => b.priority - a.priority);
  for (const campaign of byPriority) {
    const choice = chooseSlot(db, campaign, asOf, project.config.timezone, due);
    if (!choice.run) {
      log.event({ event: "skipped", campaign: campaign.id, reason: choice.reason });
      continue;
    }
    const result = planRun(
      planner.input(campaign, asOf, (done, total) => log.bar(`planning ${campaign.id}`, done, total)),
      choice.slot,
      campaign.source.path,
    );
    const entry = {
      campaign: campaign.id,
      slot: choice.slot,
      runId: result.run.id,
      alreadyPlanned: result.alreadyPlanned,
      resumed: result.resumed,
      funnel: result.funnel,
    };
    planned.push(entry);
    log.event({
      event: "planned",
      campaign: campaign.id,
      slot: formatInstant(choice.slot, project.config.timezone),
      runId: result.run.id,
      alreadyPlanned: result.alreadyPlanned,
      resumed: result.resumed,
      funnel: result.funnel,
    });
  }
  return planned;
}

/** The channels the campaigns' `via` lists name. */
export function channelsUsed(campaigns: readonly CampaignDefinition[]): Set<ChannelName> {
  const used = new Set<ChannelName>();
  for (const c of campaigns)
    for (const a of c.rule.actions) if (a.kind !== "AwardPoints") for (const v of a.via) used.add(v.name as ChannelName);
  return used;
}

export function signingSecretFor(
  config: PatronConfig,
  used: ReadonlySet<ChannelName>,
  env: NodeJS.ProcessEnv,
  sendTo: string | undefined,
): string | undefined {
  const secret = env[SIGNING_SECRET_ENV];
  if (secret) return secret;
  if (used.has("email") && config.channels.email?.unsubscribeUrl && sendTo === undefined) {
    throw new UsageError(
      `emails carry one-click unsubscribe links (channels.email.unsubscribeUrl), which are signed with the secret in ${SIGNING_SECRET_ENV}: export ${SIGNING_SECRET_ENV}=<a long random string, the same for patron serve>`,
    );
  }
  return undefined;
}

/** Sends the outbox rows of the given runs through the channels, logging as it goes. */
export async function sendPlanned(
  db: Db,
  channels: ReadonlyMap<ChannelName, Channel>,
  runIds: readonly number[] | undefined,
  log: RunLog,
  quietHours: QuietHours | undefined,
  signal?: AbortSignal,
): Promise<DispatchSummary> {
  const scope = runIds === undefined ? "" : "AND run_id IN (SELECT value FROM json_each(?))";
  const total = db
    .prepare(`SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending') ${scope}`)
    .pluck()
    .get(...(runIds === undefined ? [] : [JSON.stringify(runIds)])) as number;
  let sent = 0;
  let failed = 0;
  const onEvent = (event: DispatchEvent): void => {
    if (event.type === "sent") sent++;
    if (event.type === "failed") failed++;
    if (event.type !== "sent") log.event({ event: event.type, ...event, type: undefined });
    log.bar(`sending (${failed} failed)`, sent + failed, total);
  };
  return dispatch({
    db,
    channels,
    ...(runIds === undefined ? {} : { runIds }),
    ...(quietHours ? { quietHours } : {}),
    onEvent,
    ...(signal ? { signal } : {}),
  });
}

/** `patron run [FILES] [--due]`: plan and send. Idempotent: a slot is planned and sent once. */
export async function runRun(paths: readonly string[], options: RunOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const chosen = chooseCampaigns(paths, options.config, io);
  if (!chosen) return 1;
  const used = channelsUsed(chosen.campaigns);
  const secret = signingSecretFor(chosen.config, used, env, options.sendTo);
  const channels = openChannelsOrExplain(chosen.config, used, env, options.sendTo);
  const data = openData(chosen.config, options, io.cwd, { mustExist: true });
  const log = new RunLog(io, options.format);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const planned = planCampaigns(data.db, chosen, chosen.campaigns, data.asOf, options.due, log, secret);
    const summary =
      planned.length === 0
        ? undefined
        : await sendPlanned(
            data.db,
            channels,
            planned.map((p) => p.runId),
            log,
            chosen.config.quietHours,
            abort.signal,
          );
    log.progress("");
    if (options.format === "text") {
      for (const p of planned) {
        io.out(
          `${p.campaign} — slot ${formatInstant(p.slot, chosen.config.timezone)}${p.alreadyPlanned ? " (planned before: nothing added)" : p.resumed ? " (resumed)" : ""}`,
        );
        for (const line of funnelLines(p.funnel)) io.out(line);
      }
      if (summary) {
        const waiting =
          summary.waiting > 0 && summary.nextDue !== null
            ? `, ${summary.waiting} waiting until ${formatInstant(summary.nextDue, chosen.config.timezone)} or later`
            : "";
        io.out(
          `sent ${summary.sent}, failed ${summary.failed}, retried ${summary.retried}${summary.recovered ? `, recovered ${summary.recovered} after a crash` : ""}${waiting}`,
        );
      } else {
        io.out("nothing to run");
      }
    } else {
      log.event({ event: "finished", ...(summary ?? {}), runs: planned.map((p) => p.runId) });
    }
    return 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await Promise.all([...channels.values()].map((c) => c.close()));
    data.db.close();
  }
}

export function openChannelsOrExplain(
  config: PatronConfig,
  used: ReadonlySet<ChannelName>,
  env: NodeJS.ProcessEnv,
  sendTo: string | undefined,
): Map<ChannelName, Channel> {
  try {
    return openChannels(config, used, env, sendTo);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}
