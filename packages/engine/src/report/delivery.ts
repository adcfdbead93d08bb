import type { Db } from "../store/store.js";

/*
 * What became of a run's messages (outbox rows with decision "send"):
 *   waiting      queued or being sent (including those held for quiet hours or a retry)
 *   failed       the provider refused the message (state failed, with its code)
 *   sent         the provider accepted it (state sent); of those, from the status callbacks:
 *     delivered    delivered or read
 *     undelivered  undelivered, failed or canceled after acceptance (with the provider's code)
 *     no receipt   no final status yet (no callback, or only queued/sending/sent)
 * Codes are grouped per provider and stage: "send" for a refusal, "delivery" for a message
 * accepted and then not delivered. Messages are counted, not members (a rule may send twice).
 */

const DELIVERED = ["delivered", "read", "partially_delivered"];
const UNDELIVERED = ["undelivered", "failed", "canceled"];

export interface ProviderOutcome {
  /** The provider that took the message (twilio, smtp, wechat, …); "unknown" when not recorded. */
  readonly provider: string;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly noReceipt: number;
  readonly failed: number;
}

export interface FailureCode {
  readonly provider: string;
  /** The provider's code (Twilio 30003, WeChat 43004, an SMTP reply code); "none" when it gave none. */
  readonly code: string;
  readonly stage: "send" | "delivery";
  readonly messages: number;
}

export interface DeliveryReport {
  /** Messages planned (decision "send"). */
  readonly planned: number;
  readonly waiting: number;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly noReceipt: number;
  readonly failed: number;
  /** Per provider, by name. */
  readonly byProvider: readonly ProviderOutcome[];
  /** Failures by provider code: most messages first, then provider and code. */
  readonly codes: readonly FailureCode[];
}

interface OutcomeRow {
  provider: string | null;
  state: string;
  outcome: "delivered" | "undelivered" | "no-receipt" | null;
  code: string | null;
  n: number;
}

export function deliveryReport(db: Db, runId: number): DeliveryReport {
  const delivered = DELIVERED.map((s) => `'${s}'`).join(", ");
  const undelivered = UNDELIVERED.map((s) => `'${s}'`).join(", ");
  const rows = db
    .prepare<[number], OutcomeRow>(
      `SELECT provider, state,
         CASE WHEN state != 'sent' THEN NULL
              WHEN delivery IN (${delivered}) THEN 'delivered'
              WHEN delivery IN (${undelivered}) THEN 'undelivered'
              ELSE 'no-receipt' END AS outcome,
         CASE WHEN state = 'failed' OR (state = 'sent' AND delivery IN (${undelivered})) THEN error_code END AS code,
         count(*) AS n
       FROM outbox WHERE run_id = ? AND decision = 'send'
       GROUP BY 1, 2, 3, 4`,
    )
    .all(runId);
  const totals = { planned: 0, waiting: 0, sent: 0, delivered: 0, undelivered: 0, noReceipt: 0, failed: 0 };
  const providers = new Map<string, { sent: number; delivered: number; undelivered: number; noReceipt: number; failed: number }>();
  const codes = new Map<string, FailureCode>();
  for (const row of rows) {
    totals.planned += row.n;
    if (row.state === "queued" || row.state === "sending") {
      totals.waiting += row.n;
      continue;
    }
    const provider = row.provider ?? "unknown";
    const p = providers.get(provider) ?? { sent: 0, delivered: 0, undelivered: 0, noReceipt: 0, failed: 0 };
    providers.set(provider, p);
    let stage: FailureCode["stage"] | undefined;
    if (row.state === "failed") {
      totals.failed += row.n;
      p.failed += row.n;
      stage = "send";
    } else {
      totals.sent += row.n;
      p.sent += row.n;
      if (row.outcome === "delivered") {
        totals.delivered += row.n;
        p.delivered += row.n;
      } else if (row.outcome === "undelivered") {
        totals.undelivered += row.n;
        p.undelivered += row.n;
        stage = "delivery";
      } else {
        totals.noReceipt += row.n;
        p.noReceipt += row.n;
      }
    }
    if (stage) {
      const code = row.code ?? "none";
      const key = `${provider}\u0000${stage}\u0000${code}`;
      const known = codes.get(key);
      codes.set(key, { provider, code, stage, messages: (known?.messages ?? 0) + row.n });
    }
  }
  return {
    ...totals,
    byProvider: [...providers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([provider, p]) => ({ provider, ...p })),
    codes: [...codes.values()].sort(
      (a, b) => b.messages - a.messages || compare(a.provider, b.provider) || compare(a.stage, b.stage) || compare(a.code, b.code),
    ),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
