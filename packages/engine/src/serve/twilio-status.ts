import { maskAddress } from "../plan/dry-run.js";
import type { Db } from "../store/store.js";
import { applyOptOut } from "./opt-out-change.js";
import { textResponse, type WebhookResponse } from "./response.js";
import { twilioSignatureProblem, type TwilioWebhook } from "./twilio-request.js";

export interface TwilioStatusSettings {
  readonly authToken: string;
  readonly now?: () => number;
}

/** The provider name the Twilio channel writes on the outbox rows it sent. */
export const TWILIO_PROVIDER = "twilio";

/** Twilio's "recipient replied STOP" code: the member has opted out of SMS. */
export const TWILIO_OPTED_OUT = "21610";

/*
 * Status callbacks may arrive out of order (a late "sent" after "delivered"): a status never
 * replaces one further along. Statuses Twilio may add later rank lowest.
 */
const STATUS_RANK: Readonly<Record<string, number>> = {
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  canceled: 5,
  partially_delivered: 5,
  read: 6,
};

interface SentRow {
  readonly id: number;
  readonly member_id: string;
  readonly address: string | null;
  readonly delivery: string | null;
  readonly error_code: string | null;
}

/**
 * POST /twilio/status: Twilio reports what became of a message (MessageSid, MessageStatus and,
 * on failure, ErrorCode). The status lands on the outbox row Twilio accepted under that sid
 * (delivery, error_code); an undelivered message with 21610 opts the member out of SMS.
 */
export function handleTwilioStatus(db: Db, request: TwilioWebhook, settings: TwilioStatusSettings): WebhookResponse {
  const problem = twilioSignatureProblem(request, settings.authToken);
  if (problem) return textResponse(403, `${problem}\n`, { result: "rejected", reason: problem });

  const { MessageSid: sid, MessageStatus: status, ErrorCode: errorCode } = request.params;
  if (sid === undefined || !/^[A-Za-z0-9]{2,64}$/.test(sid)) return malformed("MessageSid is missing or not a message sid");
  if (status === undefined || !/^[a-z_]{1,32}$/.test(status)) return malformed("MessageStatus is missing or not a status");
  if (errorCode !== undefined && errorCode !== "" && !/^\d{1,10}$/.test(errorCode)) return malformed("ErrorCode is not a number");
  const code = errorCode === undefined || errorCode === "" ? null : errorCode;

  const now = settings.now ?? Date.now;
  return db
    .transaction((): WebhookResponse => {
      const row = db
        .prepare("SELECT id, member_id, address, delivery, error_code FROM outbox WHERE provider = ? AND provider_id = ?")
        .get(TWILIO_PROVIDER, sid) as SentRow | undefined;
      if (!row) return textResponse(200, "", { result: "unknown message", sid, messageStatus: status });

      const rank = (s: string | null): number => (s === null ? 0 : (STATUS_RANK[s] ?? 0.5));
      const updated = rank(status) >= rank(row.delivery) && (status !== row.delivery || (code !== null && code !== row.error_code));
      if (updated) {
        db.prepare("UPDATE outbox SET delivery = ?, error_code = coalesce(?, error_code) WHERE id = ?").run(status, code, row.id);
      }
      let optedOut = false;
      if (code === TWILIO_OPTED_OUT && (status === "undelivered" || status === "failed")) {
        optedOut = applyOptOut(db, {
          memberId: row.member_id,
          channel: "sms",
          ...(row.address === null ? {} : { address: row.address }),
          action: "opt-out",
          source: "provider",
          detail: `twilio ${TWILIO_OPTED_OUT}`,
          at: now(),
        });
      }
      return textResponse(200, "", {
        result: updated ? "updated" : "unchanged",
        outboxId: row.id,
        member: row.member_id,
        ...(row.address === null ? {} : { to: maskAddress("sms", row.address) }),
        messageStatus: status,
        ...(code === null ? {} : { errorCode: code }),
        ...(optedOut ? { optOut: "sms" } : {}),
      });
    })
    .immediate(); // reads, then writes: IMMEDIATE so a concurrent writer makes it wait, not fail
}

function malformed(reason: string): WebhookResponse {
  return textResponse(400, `${reason}\n`, { result: "malformed", reason });
}
