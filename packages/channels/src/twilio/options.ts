import { TWILIO_API_ORIGIN } from "./http-client.js";

export interface TwilioChannelOptions {
  /** The account SID (AC…), resolved by the caller from the environment variable patron.yaml names. */
  readonly accountSid: string;
  /** The auth token, resolved the same way. Never appears in any result, error or log line. */
  readonly authToken: string;
  /** The sending number (E.164) or alphanumeric sender ID; exactly one of this and messagingServiceSid. */
  readonly from?: string;
  /** A Messaging Service (MG…) that picks the sender; exactly one of this and from. */
  readonly messagingServiceSid?: string;
  /** Where Twilio posts delivery status for each message. */
  readonly statusCallback?: string;
  /** Where requests for https://api.twilio.com go instead (default: Twilio itself). */
  readonly baseUrl?: string;
  /** Sends in flight at once (default 4). */
  readonly concurrency?: number;
  /** Sends per second (the account's MPS); undefined for no limit. */
  readonly ratePerSecond?: number;
  /** One request, connect to last byte, in ms (default 30000, the SDK's own). */
  readonly timeoutMs?: number;
  /**
   * Where the credentials come from, for the message shown when Twilio rejects them, e.g.
   * "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (channels.sms in patron.yaml)".
   */
  readonly credentialSource?: string;
  /** Recent messages to the recipient that `lookup` reads (default 1000, one page). */
  readonly lookupLimit?: number;
  /**
   * When a send ends ambiguously (timeout or connection reset after the request went out), ask
   * Twilio's message list before reporting a failure, so an accepted message is not sent again
   * (default true).
   */
  readonly settleAmbiguousSends?: boolean;
}

export interface TwilioSettings {
  readonly accountSid: string;
  readonly authToken: string;
  readonly sender: { readonly from: string } | { readonly messagingServiceSid: string };
  readonly statusCallback?: string;
  readonly baseUrl: string;
  readonly concurrency: number;
  readonly ratePerSecond?: number;
  readonly timeoutMs: number;
  readonly credentialSource: string;
  readonly lookupLimit: number;
  readonly settleAmbiguousSends: boolean;
}

const PLACE = "the Twilio SMS channel (channels.sms in patron.yaml)";

/** Checks the options once, at start-up; every message names the setting and never echoes a credential. */
export function parseTwilioOptions(options: TwilioChannelOptions): TwilioSettings {
  if (!/^AC[0-9a-fA-F]{32}$/.test(options.accountSid)) {
    throw new Error(`${PLACE}: the account SID is not "AC" followed by 32 hex digits; check the environment variable accountSid names`);
  }
  if (options.authToken.trim() === "") {
    throw new Error(`${PLACE}: the auth token is empty; check the environment variable authToken names`);
  }
  const from = options.from?.trim() || undefined;
  const messagingServiceSid = options.messagingServiceSid?.trim() || undefined;
  if ((from === undefined) === (messagingServiceSid === undefined)) {
    throw new Error(`${PLACE}: set exactly one of "from" (a number or sender ID) and "messagingServiceSid"`);
  }
  if (messagingServiceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) {
    throw new Error(`${PLACE}: messagingServiceSid "${messagingServiceSid}" is not "MG" followed by 32 hex digits`);
  }
  const baseUrl = options.baseUrl ?? TWILIO_API_ORIGIN;
  if (!isHttpUrl(baseUrl)) throw new Error(`${PLACE}: baseUrl "${baseUrl}" is not an http(s) URL`);
  if (options.statusCallback !== undefined && !isHttpUrl(options.statusCallback)) {
    throw new Error(`${PLACE}: statusCallback "${options.statusCallback}" is not an http(s) URL`);
  }
  const concurrency = positive(options.concurrency, 4, "concurrency", true);
  const lookupLimit = positive(options.lookupLimit, 1000, "lookupLimit", true);
  const timeoutMs = positive(options.timeoutMs, 30_000, "timeoutMs", false);
  const ratePerSecond = options.ratePerSecond === undefined ? undefined : positive(options.ratePerSecond, 0, "ratePerSecond", false);
  return {
    accountSid: options.accountSid,
    authToken: options.authToken,
    sender: from !== undefined ? { from } : { messagingServiceSid: messagingServiceSid as string },
    ...(options.statusCallback !== undefined ? { statusCallback: options.statusCallback } : {}),
    baseUrl,
    concurrency,
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    timeoutMs,
    credentialSource:
      options.credentialSource ?? "the environment variables that accountSid and authToken name under channels.sms in patron.yaml",
    lookupLimit,
    settleAmbiguousSends: options.settleAmbiguousSends ?? true,
  };
}

function positive(value: number | undefined, fallback: number, name: string, integer: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${PLACE}: ${name} must be a positive ${integer ? "whole number" : "number"}, not ${value}`);
  }
  return value;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
