import type { Region } from "@patron/config";
import { maskAddress } from "../plan/dry-run.js";
import type { Db } from "../store/store.js";
import { matchReply, type ReplyKeywords } from "./keywords.js";
import { membersWithPhone } from "./members-by-address.js";
import { applyOptOut } from "./opt-out-change.js";
import { textResponse, XML, type WebhookResponse } from "./response.js";
import { emptyTwiml, twilioSignatureProblem, type TwilioWebhook } from "./twilio-request.js";

export interface InboundSmsSettings {
  readonly authToken: string;
  readonly keywords: ReplyKeywords;
  /** Decides the national form of phone numbers (see phoneForms). */
  readonly region: Region;
  readonly now?: () => number;
}

/**
 * POST /twilio/inbound: a member replied (From, Body). A reply that is an opt-out keyword opts
 * every member with that phone out of SMS; an opt-in keyword (START) lifts their opt-out. A number
 * no member has is still logged (member unknown). Twilio gets empty TwiML: no reply of Patron's.
 */
export function handleInboundSms(db: Db, request: TwilioWebhook, settings: InboundSmsSettings): WebhookResponse {
  const problem = twilioSignatureProblem(request, settings.authToken);
  if (problem) return textResponse(403, `${problem}\n`, { result: "rejected", reason: problem });

  const { From: from, Body: body } = request.params;
  if (from === undefined || from === "" || from.length > 64) return malformed("From is missing or too long");
  if (body === undefined) return malformed("Body is missing");

  const reply = (log: Readonly<Record<string, unknown>>): WebhookResponse => ({ status: 200, contentType: XML, body: emptyTwiml(), log });
  const match = matchReply(body, settings.keywords);
  if (!match) return reply({ result: "not a keyword", from: maskAddress("sms", from) });

  const now = (settings.now ?? Date.now)();
  return db
    .transaction((): WebhookResponse => {
      const members = membersWithPhone(db, from, settings.region);
      const event = {
        channel: "sms" as const,
        address: from,
        action: match.action,
        source: "inbound" as const,
        detail: `replied ${match.keyword}`,
        at: now,
      };
      const masked = maskAddress("sms", from);
      if (members.length === 0) {
        applyOptOut(db, { ...event, memberId: null });
        return reply({ result: match.action, keyword: match.keyword, from: masked, members: "unknown" });
      }
      const changed = members.filter((memberId) => applyOptOut(db, { ...event, memberId }));
      return reply({ result: match.action, keyword: match.keyword, from: masked, members, changed: changed.length });
    })
    .immediate(); // reads, then writes: IMMEDIATE so a concurrent writer makes it wait, not fail
}

function malformed(reason: string): WebhookResponse {
  return textResponse(400, `${reason}\n`, { result: "malformed", reason });
}
