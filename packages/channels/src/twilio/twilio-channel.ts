import type { RequestClient } from "twilio";
import type { Channel, LookupResult, OutgoingMessage, SendResult } from "../contract/channel.js";
import { classifyFailure, redactFailure, redactor, type Failure } from "./classify.js";
import { twilioSdk } from "./sdk.js";
import { exchangeRecorder, LocalHttpClient, TransportError, type ExchangeRecord } from "./http-client.js";
import { parseTwilioOptions, type TwilioChannelOptions } from "./options.js";

/**
 * Twilio's clock and ours differ, and date_created has whole seconds: a message accepted just after
 * `since` can carry an earlier date. Lookups therefore look this far back before `since`; an identical
 * body to the same number inside that window is the same send.
 */
const LOOKUP_CLOCK_SLACK_MS = 2 * 60_000;

type SmsMessage = Extract<OutgoingMessage, { channel: "sms" }>;

/**
 * SMS through Twilio's Messages API, with the official SDK. Twilio takes no idempotency key for a
 * message (its create parameters have none; I-Twilio-Idempotency-Token is a header Twilio sends on
 * webhooks, not one it honours on requests), so the channel is not idempotent: a send whose outcome
 * is unknown is settled with `lookup` instead of being sent again.
 */
export function twilioChannel(options: TwilioChannelOptions): Channel {
  const settings = parseTwilioOptions(options);
  const redact = redactor([
    settings.authToken,
    settings.accountSid,
    Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString("base64"),
  ]);
  const httpClient = new LocalHttpClient({
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    maxSockets: settings.concurrency + 1,
  });
  // The environment must not redirect the client: credentials and region come from these options only.
  const client = twilioSdk()(settings.accountSid, settings.authToken, {
    httpClient: httpClient as unknown as RequestClient,
    autoRetry: false,
    env: {},
    edge: "",
    region: "",
  });

  async function lookup(message: SmsMessage, since: Date): Promise<LookupResult> {
    // The list filters on To, From and DateSent only, and DateSent is the wrong date here: Twilio sets
    // it when it hands the message to the carrier, so a message still queued or accepted (exactly what
    // a send cut short leaves behind) has none and a DateSent filter would hide it; the filter also
    // works at day granularity. So the list is filtered by To, newest first, and the creation date
    // (set when Twilio accepts the message) and the body are compared here.
    const after = since.getTime() - LOOKUP_CLOCK_SLACK_MS;
    const recent = await client.messages.list({
      to: message.to,
      limit: settings.lookupLimit,
      pageSize: Math.min(settings.lookupLimit, 1000),
    });
    const match = recent.find(
      (m) => m.direction !== "inbound" && m.body === message.body && m.dateCreated instanceof Date && m.dateCreated.getTime() >= after,
    );
    return match ? { found: true, providerId: match.sid } : { found: false };
  }

  async function create(message: SmsMessage): Promise<SendResult> {
    const startedAt = new Date();
    const record: ExchangeRecord = {};
    try {
      const created = await exchangeRecorder.run(record, () =>
        client.messages.create({
          to: message.to,
          body: message.body,
          ...settings.sender,
          ...(settings.statusCallback !== undefined ? { statusCallback: settings.statusCallback } : {}),
        }),
      );
      if (typeof created.sid !== "string" || created.sid === "") {
        return {
          ok: false,
          kind: "temporary",
          code: "no-sid",
          message: "Twilio accepted the request but its answer carried no message SID",
        };
      }
      return { ok: true, providerId: created.sid };
    } catch (error) {
      const failure = classifyFailure(error, {
        responseHeaders: record.responseHeaders,
        credentialSource: settings.credentialSource,
        now: Date.now(),
      });
      if (error instanceof TransportError && error.ambiguous && settings.settleAmbiguousSends) return settle(message, startedAt, failure);
      return failure;
    }
  }

  /** The request may have reached Twilio: if the message is in its list, it was sent; otherwise the failure stands. */
  async function settle(message: SmsMessage, startedAt: Date, failure: Failure): Promise<SendResult> {
    try {
      const found = await lookup(message, startedAt);
      return found.found ? { ok: true, providerId: found.providerId } : failure;
    } catch {
      return { ...failure, message: `${failure.message}; Twilio's message list could not be read to check whether it arrived` };
    }
  }

  return {
    name: "sms",
    provider: "twilio",
    concurrency: settings.concurrency,
    ...(settings.ratePerSecond !== undefined ? { ratePerSecond: settings.ratePerSecond } : {}),
    idempotent: false,
    async send(message: OutgoingMessage): Promise<SendResult> {
      if (message.channel !== "sms") {
        return {
          ok: false,
          kind: "permanent",
          code: "wrong-channel",
          message: `a ${message.channel} message was given to the Twilio SMS channel`,
        };
      }
      const result = await create(message);
      return result.ok ? result : redactFailure(result, redact);
    },
    async lookup(message: OutgoingMessage, since: Date): Promise<LookupResult> {
      if (message.channel !== "sms") return { found: false };
      try {
        return await lookup(message, since);
      } catch (error) {
        const failure = classifyFailure(error, { credentialSource: settings.credentialSource, now: Date.now() });
        throw new Error(redact(`the Twilio SMS channel could not read Twilio's message list (${failure.code}): ${failure.message}`));
      }
    },
    async close(): Promise<void> {
      httpClient.close();
    },
  };
}
