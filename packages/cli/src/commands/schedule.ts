import { formatInstant, newHolder, nextSlotOf, release, renew, tryAcquire } from "@patron/engine";
import type { Io } from "../io.js";
import { chooseCampaigns } from "../project/campaigns.js";
import { openData, type DataOptions } from "../project/data.js";
import { RunLog } from "../output/run-log.js";
import { channelsUsed, openChannelsOrExplain, planCampaigns, sendPlanned, signingSecretFor } from "./run.js";

export interface ScheduleOptions extends DataOptions {
  readonly config?: string;
  readonly sendTo?: string;
  /** Check once and stop (what cron would call every minute), instead of running until stopped. */
  readonly once?: boolean;
  readonly format: "text" | "json";
}

const LEASE = "scheduler";
const LEASE_TTL_MS = 60_000;
/** The longest sleep between looks: campaign files may change (a git pull) and deferred messages come due. */
const MAX_SLEEP_MS = 60_000;

/**
 * `patron schedule`: runs forever, doing what `patron run --due` does whenever a slot comes due
 * — plan each due campaign once per slot, then send the outbox, including messages held back
 * earlier (retries, quiet hours). Campaign files are read again on every look, so a merged
 * change takes effect without a restart. Only one scheduler works on a database at a time (a
 * lease in the database); a second one waits, and takes over when the first stops or dies.
 */
export async function runSchedule(options: ScheduleOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const holder = newHolder();
  const log = new RunLog(io, options.format);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let waitingLogged = false;
  try {
    while (!abort.signal.aborted) {
      const chosen = chooseCampaigns([], options.config, io);
      if (!chosen) return 1;
      const data = openData(chosen.config, options, io.cwd, { mustExist: true });
      let sleepMs = MAX_SLEEP_MS;
      try {
        const now = options.asOf === undefined ? Date.now() : data.asOf;
        const lease = tryAcquire(data.db, LEASE, holder, LEASE_TTL_MS, Date.now());
        if (!lease.acquired) {
          if (!waitingLogged) {
            log.event({
              event: "waiting",
              reason: `another scheduler holds the lease (pid ${lease.heldBy.pid} on ${lease.heldBy.host}) until ${new Date(lease.heldBy.expiresAt).toISOString()}`,
            });
            waitingLogged = true;
          }
        } else {
          waitingLogged = false;
          const used = channelsUsed(chosen.campaigns);
          const secret = signingSecretFor(chosen.config, used, env, options.sendTo);
          const channels = openChannelsOrExplain(chosen.config, used, env, options.sendTo);
          // Keep the lease while planning and sending take longer than its lifetime.
          const heartbeat = setInterval(() => renew(data.db, LEASE, holder, LEASE_TTL_MS, Date.now()), LEASE_TTL_MS / 3);
          try {
            planCampaigns(data.db, chosen, chosen.campaigns, now, true, log, secret);
            const summary = await sendPlanned(data.db, channels, undefined, log, chosen.config.quietHours, abort.signal);
            if (summary.sent + summary.failed > 0)
              log.event({ event: "sent", sent: summary.sent, failed: summary.failed, waiting: summary.waiting });
          } finally {
            clearInterval(heartbeat);
            await Promise.all([...channels.values()].map((c) => c.close()));
          }
          const next = nextSlotOf(chosen.campaigns, now, chosen.config.timezone);
          if (next !== undefined) {
            log.event({ event: "next", slot: formatInstant(next, chosen.config.timezone) });
            sleepMs = Math.min(MAX_SLEEP_MS, Math.max(1_000, next - now));
          }
        }
      } finally {
        data.db.close();
      }
      if (options.once) break;
      await sleep(sleepMs, abort.signal);
    }
    return 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    const chosen = chooseCampaigns([], options.config, { ...io, err: () => {} });
    if (chosen) {
      const data = openData(chosen.config, options, io.cwd, { mustExist: true });
      release(data.db, LEASE, holder);
      data.db.close();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
