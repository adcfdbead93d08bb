import type { Channel, ChannelName, OutgoingMessage, SendResult } from "@patron/channels";
import type { QuietHours } from "@patron/config";
import { recordOptOut } from "../consent/opt-outs.js";
import { quietUntil } from "../plan/policies.js";
import { liveOwners, newHolder, pruneLeases, release, renew, tryAcquire, type Holder } from "../runs/leases.js";
import type { Db } from "../store/store.js";
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from "./backoff.js";
import { Outbox, type OutboxRow } from "./outbox-rows.js";
import { RateLimiter } from "./rate-limit.js";
import { settleQueue } from "./settle-queue.js";

export interface DispatchOptions {
  readonly db: Db;
  /** The configured channels; rows for other channels stay queued. */
  readonly channels: ReadonlyMap<ChannelName, Channel>;
  readonly holder?: Holder;
  /** Attempts per message before a temporary failure becomes final (default 5). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
  /** Only rows of these runs (what a `patron run` planned); every run when absent. */
  readonly runIds?: readonly number[];
  /**
   * Rows due within this many ms (retries after a backoff) are waited for; rows due later (quiet
   * hours, a channel paused for the day) stay queued for a later run or the scheduler. Default 2 min.
   */
  readonly waitMs?: number;
  /** No message starts inside these hours of its member's local time; it waits for their end. */
  readonly quietHours?: QuietHours;
  /** Aborting stops new sends; sends in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly onEvent?: (event: DispatchEvent) => void;
}

export type DispatchEvent =
  | {
      readonly type: "sent";
      readonly id: number;
      readonly channel: ChannelName;
      readonly memberId: string;
      readonly providerId: string;
      readonly attempts: number;
    }
  | {
      readonly type: "retry";
      readonly id: number;
      readonly channel: ChannelName;
      readonly memberId: string;
      readonly code: string;
      readonly message: string;
      readonly attempts: number;
      readonly notBefore: number;
    }
  | {
      readonly type: "failed";
      readonly id: number;
      readonly channel: ChannelName;
      readonly memberId: string;
      readonly code: string;
      readonly message: string;
      readonly attempts: number;
    }
  | { readonly type: "paused"; readonly channel: ChannelName; readonly until: number; readonly message: string }
  | {
      readonly type: "recovered";
      readonly id: number;
      readonly channel: ChannelName;
      readonly outcome: "sent" | "requeued" | "unknown" | "unsettled";
      readonly message?: string;
    };

export interface DispatchSummary {
  sent: number;
  failed: number;
  retried: number;
  recovered: number;
  /** Queued rows left for later (not yet due), and when the first is due. */
  waiting: number;
  nextDue: number | null;
  elapsedMs: number;
}

const LEASE_TTL_MS = 30_000;
/** A provider may show a message as accepted a little before our clock says we sent it. */
const LOOKUP_SKEW_MS = 60_000;

/**
 * Sends the outbox. One worker per channel claims due rows just before sending them (the rows
 * starting together in one transaction), keeps at most `channel.concurrency` sends in flight and
 * starts at most `channel.ratePerSecond` a second, and settles every result (those of one turn of
 * the event loop together in one transaction, see settle-queue.ts):
 * - sent → provider id recorded;
 * - temporary failure → queued again after exponential backoff with full jitter (or the
 *   provider's Retry-After), until maxAttempts, then failed with the last code;
 * - permanent failure → failed with the provider's code; an opt-out code (Twilio 21610) is
 *   also recorded as an opt-out;
 * - a channel-wide pause (WeChat 45009, a credentials problem) → the message goes back without
 *   using an attempt and the channel stops until then.
 * Crash safety: rows left "sending" by a dispatcher that died (its lease lapsed or its process
 * is gone) are settled first — see recoverOrphans.
 */
export async function dispatch(options: DispatchOptions): Promise<DispatchSummary> {
  const started = performance.now();
  const { db } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const holder = options.holder ?? newHolder();
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const waitMs = options.waitMs ?? 120_000;
  const emit = options.onEvent ?? (() => {});
  const outbox = new Outbox(db, options.runIds);
  const summary: DispatchSummary = { sent: 0, failed: 0, retried: 0, recovered: 0, waiting: 0, nextDue: null, elapsedMs: 0 };

  // Our own lease marks us alive to other dispatchers (they leave our in-flight rows alone).
  const leaseName = `dispatcher:${holder.owner}`;
  tryAcquire(db, leaseName, holder, LEASE_TTL_MS, now());
  const heartbeat = setInterval(() => renew(db, leaseName, holder, LEASE_TTL_MS, now()), LEASE_TTL_MS / 3);
  heartbeat.unref();

  const settle = (row: OutboxRow, channel: Channel, result: SendResult, pause: (until: number, message: string) => void): void => {
    const attempts = row.attempts + 1;
    if (result.ok) {
      outbox.markSent(row.id, channel.provider, result.providerId, now());
      summary.sent++;
      emit({ type: "sent", id: row.id, channel: channel.name, memberId: row.memberId, providerId: result.providerId, attempts });
      return;
    }
    if (result.pauseChannelUntil !== undefined) {
      outbox.requeue(row.id, result.pauseChannelUntil, result.code, result.message, true);
      pause(result.pauseChannelUntil, result.message);
      return;
    }
    if (result.kind === "temporary" && attempts < maxAttempts) {
      const notBefore = now() + retryDelay(attempts, backoff, random, result.retryAfterMs);
      outbox.requeue(row.id, notBefore, result.code, result.message);
      summary.retried++;
      emit({
        type: "retry",
        id: row.id,
        channel: channel.name,
        memberId: row.memberId,
        code: result.code,
        message: result.message,
        attempts,
        notBefore,
      });
      return;
    }
    const message = result.kind === "temporary" ? `gave up after ${attempts} attempts: ${result.message}` : result.message;
    db.transaction(() => {
      outbox.markFailed(row.id, channel.provider, result.code, message);
      if (result.optOut) {
        recordOptOut(db, {
          memberId: row.memberId,
          channel: channel.name,
          address: row.address,
          action: "opt-out",
          source: "provider",
          detail: `${channel.provider} ${result.code}`,
          at: now(),
        });
      }
    })();
    summary.failed++;
    emit({ type: "failed", id: row.id, channel: channel.name, memberId: row.memberId, code: result.code, message, attempts });
  };

  const settleTogether = settleQueue(db);
  /** Claims rows about to start, in one transaction; a row not claimed has an opt-out since planning (or another dispatcher took it). */
  const claimAll = db.transaction((rows: readonly OutboxRow[]): OutboxRow[] =>
    rows.filter((row) => {
      if (outbox.claim(row, holder.owner, now())) return true;
      outbox.suppressIfOptedOut(row);
      return false;
    }),
  );

  const worker = async (channel: Channel): Promise<void> => {
    const limiter = new RateLimiter(channel.ratePerSecond);
    const inFlight = new Set<Promise<void>>();
    let pausedUntil = 0;
    const pause = (until: number, message: string): void => {
      if (until > pausedUntil) {
        pausedUntil = until;
        // Recorded on the rows too, so a later dispatch (another run, the scheduler) waits as well.
        outbox.holdChannel(channel.name, until);
        emit({ type: "paused", channel: channel.name, until, message });
      }
    };
    const sendOne = async (row: OutboxRow, message: OutgoingMessage): Promise<void> => {
      let result: SendResult;
      try {
        result = await channel.send(message);
      } catch (error) {
        // Providers classify their failures; a throw is a bug or an unforeseen failure: retry it.
        result = { ok: false, kind: "temporary", code: "exception", message: (error as Error).message };
      }
      await settleTogether(() => settle(row, channel, result, pause));
    };
    while (!options.signal?.aborted) {
      if (pausedUntil > now()) {
        if (pausedUntil > now() + waitMs) break;
        await sleep(Math.min(pausedUntil - now(), 1000));
        continue;
      }
      const rows = outbox.due(channel.name, now(), Math.max(16, channel.concurrency * 4));
      if (rows.length === 0) {
        if (inFlight.size > 0) {
          await Promise.race(inFlight);
          continue;
        }
        const next = outbox.nextDue(channel.name);
        if (next === undefined || next > now() + waitMs) break;
        await sleep(Math.min(Math.max(next - now(), 1), 1000));
        continue;
      }
      for (let next = 0; next < rows.length;) {
        if (options.signal?.aborted || pausedUntil > now()) break;
        while (inFlight.size >= channel.concurrency) await Promise.race(inFlight);
        await limiter.waitTurn();
        // Waiting may have taken a while: an abort or a pause that came meanwhile wins.
        if (options.signal?.aborted || pausedUntil > now()) break;
        // This row starts now, and so do the next ones while there is room and the rate lets them
        // start now (after a burst of answers, several at once): their claims go in one transaction.
        const starting: OutboxRow[] = [];
        const another = (): boolean => next < rows.length && inFlight.size + starting.length < channel.concurrency && limiter.tryTurn();
        do {
          const row = rows[next++] as OutboxRow;
          const quiet = quietUntil(options.quietHours, now(), row.zone ?? "UTC");
          if (quiet !== undefined && row.zone !== null) outbox.defer(row.id, quiet);
          else starting.push(row);
        } while (another());
        for (const row of claimAll(starting)) {
          const sending = sendOne(row, outbox.message(row)).finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
      }
    }
    await Promise.all(inFlight);
  };

  try {
    summary.recovered = await recoverOrphans(db, outbox, options.channels, holder, now, emit);
    // Their rows are settled: the leases of dead dispatchers can go.
    pruneLeases(db, "dispatcher:", now());
    await Promise.all([...options.channels.values()].map(worker));
  } finally {
    clearInterval(heartbeat);
    release(db, leaseName, holder);
  }
  const waiting = outbox.waiting();
  summary.waiting = waiting.count;
  summary.nextDue = waiting.next;
  summary.elapsedMs = performance.now() - started;
  return summary;
}

/**
 * Settles rows a dead dispatcher left "sending" — their send may or may not have reached the
 * provider:
 * - a provider that drops repeats (WeChat client_msg_id, for 10 minutes) gets the message again
 *   while it still would;
 * - a provider that can be asked (Twilio's message list) is asked: found → sent, else again;
 * - any other (SMTP) cannot tell us, and sending again could deliver twice, so the row fails
 *   with code "outcome-unknown" and says so; it is never sent twice.
 */
export async function recoverOrphans(
  db: Db,
  outbox: Outbox,
  channels: ReadonlyMap<ChannelName, Channel>,
  holder: Holder,
  now: () => number,
  emit: (event: DispatchEvent) => void,
): Promise<number> {
  // The rows and the leases are read in one transaction, from one snapshot. Read apart, a
  // dispatcher that took its lease and claimed rows in between would look dead (its rows seen,
  // its lease not), and messages it was sending would be settled as orphans.
  const orphans = db.transaction(() => outbox.orphans([...channels.keys()], liveOwners(db, now())))();
  let settled = 0;
  for (const row of orphans) {
    const channel = channels.get(row.channel);
    if (channel === undefined || !outbox.adopt(row, holder.owner)) continue;
    const message = outbox.message(row);
    let outcome: "sent" | "requeued" | "unknown";
    const claimedAt = row.claimedAt ?? 0;
    const stillDeduplicated = channel.idempotent && (channel.idempotentForMs === undefined || now() - claimedAt < channel.idempotentForMs);
    if (stillDeduplicated) {
      outbox.requeue(row.id, now(), "recovered", "sent again after a crash: the provider drops repeats", true);
      outcome = "requeued";
    } else if (channel.lookup) {
      let found: Awaited<ReturnType<NonNullable<Channel["lookup"]>>>;
      try {
        found = await channel.lookup(message, new Date((row.claimedAt ?? now()) - LOOKUP_SKEW_MS));
      } catch (error) {
        // The provider cannot be asked now: leave the row for a later dispatch to settle.
        outbox.releaseAdopted(row, holder.owner);
        emit({ type: "recovered", id: row.id, channel: row.channel, outcome: "unsettled", message: (error as Error).message });
        continue;
      }
      if (found.found) {
        outbox.markSent(row.id, channel.provider, found.providerId, now());
        outcome = "sent";
      } else {
        outbox.requeue(row.id, now(), "recovered", "not found at the provider after a crash: sending again", true);
        outcome = "requeued";
      }
    } else {
      outbox.markFailed(
        row.id,
        channel.provider,
        "outcome-unknown",
        `the process stopped while this message was being handed to ${channel.provider}; it may have been delivered, so it is not sent again`,
      );
      outcome = "unknown";
    }
    settled++;
    emit({ type: "recovered", id: row.id, channel: row.channel, outcome });
  }
  return settled;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
