import type { ChannelName, OutgoingMessage } from "@patron/channels";
import type { Statement } from "better-sqlite3";
import { messageKey } from "../runs/run.js";
import type { Db } from "../store/store.js";

/** A queued or in-flight outbox row, as the dispatcher reads it. */
export interface OutboxRow {
  readonly id: number;
  readonly runId: number;
  readonly memberId: string;
  readonly action: number;
  readonly channel: ChannelName;
  readonly address: string;
  readonly content: string;
  readonly attempts: number;
  readonly claimedAt: number | null;
  readonly claimedBy: string | null;
  /** The member's time zone, for quiet hours. */
  readonly zone: string | null;
}

const COLUMNS = `id, run_id AS runId, member_id AS memberId, action, channel, address, content, attempts,
  claimed_at AS claimedAt, claimed_by AS claimedBy, zone`;

/** The channels with a queue index (store migration 005). */
const QUEUED_CHANNELS: readonly ChannelName[] = ["sms", "email", "wechat"];

/**
 * The queued rows of a channel, the channel written as a literal: SQLite uses a partial index
 * only for a query whose WHERE implies the index's, and a bound parameter implies nothing.
 */
function queuedOn(channel: ChannelName): string {
  if (!QUEUED_CHANNELS.includes(channel)) throw new Error(`the outbox has no queue for channel ${JSON.stringify(channel)}`);
  return `state = 'queued' AND channel = '${channel}'`;
}

/**
 * The outbox as the dispatcher uses it: every state change is one small UPDATE that checks the
 * state it expects, so two dispatchers can never both claim or both settle a row. A row is
 * claimed (state sending) immediately before its send starts, never earlier: a row left in
 * sending by a dead process is one whose send may have happened.
 */
export class Outbox {
  private readonly runs = new Map<number, { campaign: string; slot: number }>();
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private readonly scope: string;
  private readonly queueScope: string;
  private readonly scopeParams: unknown[];

  constructor(
    private readonly db: Db,
    runIds: readonly number[] | undefined,
  ) {
    this.scope = runIds === undefined ? "" : "AND run_id IN (SELECT value FROM json_each(?))";
    // `+run_id`: a run's queued rows are found through the channel's queue index, in the order
    // they are due; SQLite would otherwise take the (run_id, …) index, read every row of the run
    // and sort them, on every call.
    this.queueScope = runIds === undefined ? "" : "AND +run_id IN (SELECT value FROM json_each(?))";
    this.scopeParams = runIds === undefined ? [] : [JSON.stringify(runIds)];
  }

  /** Statements are prepared once per dispatcher (preparing costs more than running these). */
  private statement(sql: string): Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  due(channel: ChannelName, now: number, limit: number): OutboxRow[] {
    return this.statement(
      `SELECT ${COLUMNS} FROM outbox WHERE ${queuedOn(channel)} AND not_before <= ? ${this.queueScope} ORDER BY not_before, id LIMIT ?`,
    ).all(now, ...this.scopeParams, limit) as OutboxRow[];
  }

  /** The earliest not_before of the channel's queued rows, if any. */
  nextDue(channel: ChannelName): number | undefined {
    const at = this.statement(`SELECT min(not_before) FROM outbox WHERE ${queuedOn(channel)} ${this.queueScope}`)
      .pluck()
      .get(...this.scopeParams) as number | null;
    return at ?? undefined;
  }

  /** Queued rows of every channel, and when the first is due: each channel's queue counted apart. */
  waiting(): { count: number; next: number | null } {
    const each = QUEUED_CHANNELS.map(
      (channel) => `SELECT count(*) AS count, min(not_before) AS next FROM outbox WHERE ${queuedOn(channel)} ${this.queueScope}`,
    );
    return this.statement(`SELECT sum(count) AS count, min(next) AS next FROM (${each.join(" UNION ALL ")})`).get(
      ...QUEUED_CHANNELS.flatMap(() => this.scopeParams),
    ) as { count: number; next: number | null };
  }

  /**
   * Claims a queued row for sending, unless its member has opted out of its channel since it was
   * planned (one statement: the opt-out test rides on the claim).
   */
  claim(row: OutboxRow, owner: string, now: number): boolean {
    return (
      this.statement(
        `UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, attempts = attempts + 1
         WHERE id = ? AND state = 'queued'
           AND NOT EXISTS (SELECT 1 FROM opt_out_current AS o WHERE o.member_id = outbox.member_id AND o.channel = outbox.channel)`,
      ).run(owner, now, row.id).changes === 1
    );
  }

  /**
   * Opt-outs are honoured at once: a queued message to a member who opted out of its channel since
   * it was planned is suppressed instead of sent.
   */
  suppressIfOptedOut(row: OutboxRow): boolean {
    return (
      this.statement(
        `UPDATE outbox SET state = 'suppressed', decision = 'no-consent', error = 'opted out after the message was planned'
         WHERE id = ? AND state = 'queued' AND EXISTS (SELECT 1 FROM opt_out_current AS o WHERE o.member_id = outbox.member_id AND o.channel = outbox.channel)`,
      ).run(row.id).changes === 1
    );
  }

  /** Holds one queued message until `until` (quiet hours at the member's end). */
  defer(id: number, until: number): void {
    this.statement("UPDATE outbox SET not_before = ? WHERE id = ? AND state = 'queued'").run(until, id);
  }

  /** A paused channel: every queued message of it waits until `until`. */
  holdChannel(channel: ChannelName, until: number): void {
    this.statement(`UPDATE outbox SET not_before = ? WHERE ${queuedOn(channel)} AND not_before < ?`).run(until, until);
  }

  /** Hands an adopted orphan back (its owner stays gone, so a later dispatch adopts it again). */
  releaseAdopted(row: OutboxRow, owner: string): void {
    this.statement("UPDATE outbox SET claimed_by = ? WHERE id = ? AND state = 'sending' AND claimed_by = ?").run(
      row.claimedBy,
      row.id,
      owner,
    );
  }

  markSent(id: number, provider: string, providerId: string, now: number): void {
    this.statement(
      "UPDATE outbox SET state = 'sent', provider = ?, provider_id = ?, sent_at = ?, error_code = NULL, error = NULL, claimed_by = NULL WHERE id = ? AND state = 'sending'",
    ).run(provider, providerId, now, id);
  }

  requeue(id: number, notBefore: number, code: string | null, error: string | null, refundAttempt = false): void {
    this.statement(
      `UPDATE outbox SET state = 'queued', not_before = ?, error_code = ?, error = ?, claimed_by = NULL${refundAttempt ? ", attempts = attempts - 1" : ""} WHERE id = ? AND state = 'sending'`,
    ).run(notBefore, code, error, id);
  }

  markFailed(id: number, provider: string, code: string, error: string): void {
    this.statement(
      "UPDATE outbox SET state = 'failed', provider = ?, error_code = ?, error = ?, claimed_by = NULL WHERE id = ? AND state = 'sending'",
    ).run(provider, code, error, id);
  }

  /** Rows left in sending by owners that are gone, on the given channels. */
  orphans(channels: readonly ChannelName[], live: ReadonlySet<string>): OutboxRow[] {
    const rows = this.statement(
      `SELECT ${COLUMNS} FROM outbox WHERE state = 'sending' AND channel IN (SELECT value FROM json_each(?)) ${this.scope}`,
    ).all(JSON.stringify(channels), ...this.scopeParams) as OutboxRow[];
    return rows.filter((r) => r.claimedBy === null || !live.has(r.claimedBy));
  }

  /** Takes over an orphan for settling: true when no one else took it first. */
  adopt(row: OutboxRow, owner: string): boolean {
    return (
      this.statement("UPDATE outbox SET claimed_by = ? WHERE id = ? AND state = 'sending' AND claimed_by IS ?").run(
        owner,
        row.id,
        row.claimedBy,
      ).changes === 1
    );
  }

  /** What the provider is given: the row's content, its address and its stable key. */
  message(row: OutboxRow): OutgoingMessage {
    let run = this.runs.get(row.runId);
    if (run === undefined) {
      run = this.db.prepare("SELECT campaign, slot FROM runs WHERE id = ?").get(row.runId) as { campaign: string; slot: number };
      this.runs.set(row.runId, run);
    }
    const content = JSON.parse(row.content) as Record<string, unknown>;
    return {
      ...content,
      channel: row.channel,
      key: messageKey(run.campaign, run.slot, row.memberId, row.action),
      to: row.address,
    } as OutgoingMessage;
  }
}
