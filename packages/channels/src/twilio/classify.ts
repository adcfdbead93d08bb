import type { IncomingHttpHeaders } from "node:http";
import type { SendResult } from "../contract/channel.js";
import { TransportError } from "./http-client.js";

/** Twilio's codes that decide more than "a 4xx is permanent". */
export const TWILIO_CODES = {
  authenticate: 20003,
  tooManyRequests: 20429,
  invalidTo: 21211,
  unsubscribed: 21610,
} as const;

/**
 * How long the channel pauses after Twilio rejects the credentials. A wrong or rotated token is an
 * operator's fix, not a property of the message: failing messages permanently would burn the whole
 * outbox, retrying each one at once would hammer Twilio (and risk a lockout). So the failure is
 * temporary and the channel stops until someone has had time to fix the environment.
 */
export const AUTH_FAILURE_PAUSE_MS = 5 * 60_000;

export type Failure = Extract<SendResult, { ok: false }>;

/** What the SDK throws for an error answer (RestException or, for RFC 9457 bodies, TwilioServiceException). */
interface TwilioErrorShape {
  readonly status: number;
  readonly code?: number;
  readonly message: string;
}

export interface ClassifyContext {
  /** Headers of the answer that carried the error, when there was one. */
  readonly responseHeaders?: IncomingHttpHeaders;
  /** Where the credentials come from, named in the auth-failure message. */
  readonly credentialSource: string;
  readonly now: number;
}

/** Turns whatever a Twilio call threw into a SendResult the dispatcher can act on. */
export function classifyFailure(error: unknown, context: ClassifyContext): Failure {
  if (error instanceof TransportError) {
    return { ok: false, kind: "temporary", code: error.code, message: `Twilio could not be reached: ${error.message}` };
  }
  const twilioError = asTwilioError(error);
  if (!twilioError) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, kind: "temporary", code: "unexpected", message: `the Twilio SDK failed: ${text}` };
  }
  const { status } = twilioError;
  const code = twilioError.code !== undefined ? String(twilioError.code) : `http-${status}`;
  const message = `Twilio ${status}${twilioError.code !== undefined ? ` (${twilioError.code})` : ""}: ${twilioError.message}`;

  if (status === 401 || twilioError.code === TWILIO_CODES.authenticate) {
    return {
      ok: false,
      kind: "temporary",
      code,
      message: `Twilio rejected the account SID / auth token (${code}): check ${context.credentialSource}; sending on this channel pauses until then`,
      retryAfterMs: AUTH_FAILURE_PAUSE_MS,
      pauseChannelUntil: context.now + AUTH_FAILURE_PAUSE_MS,
    };
  }
  if (status === 429 || twilioError.code === TWILIO_CODES.tooManyRequests) {
    const retryAfterMs = parseRetryAfter(context.responseHeaders?.["retry-after"], context.now);
    return { ok: false, kind: "temporary", code, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500 || status === 408) return { ok: false, kind: "temporary", code, message };
  if (twilioError.code === TWILIO_CODES.unsubscribed) return { ok: false, kind: "permanent", code, message, optOut: true };
  // 21211 (invalid 'To'), 21614 (not a mobile number), 21408 (region not enabled) and every other 4xx.
  return { ok: false, kind: "permanent", code, message };
}

function asTwilioError(error: unknown): TwilioErrorShape | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, code, detail } = error as Error & { status?: unknown; code?: unknown; detail?: unknown };
  if (typeof status !== "number") return undefined;
  // A RestException whose body had no message carries `undefined` as its message.
  const text = typeof error.message === "string" && error.message !== "" ? error.message : `[HTTP ${status}] no message`;
  return {
    status,
    code: typeof code === "number" && code > 0 ? code : undefined,
    message: typeof detail === "string" && detail !== "" ? `${text}: ${detail}` : text,
  };
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Removes the credentials from any text that leaves the channel. Twilio's own messages can quote a
 * URL with the account SID in it, and the SDK's can echo what it was given.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const present = secrets.filter((s) => s.length > 0);
  return (text) => present.reduce((out, secret) => out.split(secret).join("[redacted]"), text);
}

export function redactFailure(failure: Failure, redact: (text: string) => string): Failure {
  return { ...failure, code: redact(failure.code), message: redact(failure.message) };
}
