import type { SendResult } from "../contract/channel.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/** How long the whole channel stops when its settings are wrong (see `classifySmtpError`). */
export const SETTINGS_PAUSE_MS = 5 * 60_000;

export interface SmtpErrorContext {
  /** "host:port", for the message. */
  readonly server: string;
  /** Removes credentials from any text that goes into a result. */
  readonly redact: (text: string) => string;
  readonly now: () => number;
}

/** Replies that mean "who are you?": authentication required (530), refused (535), too weak (534), needs TLS first (538). */
const LOGIN_REPLIES = new Set([530, 534, 535, 538]);
const LOGIN_CODES = new Set(["EAUTH", "ENOAUTH", "EOAUTH2"]);
/** nodemailer codes for connection settings that cannot work: bad options, TLS that fails, REQUIRETLS unsupported. */
const CONNECTION_SETTINGS_CODES = new Set(["ECONFIG", "ETLS", "EREQUIRETLS"]);
/** nodemailer codes for a message it could not turn into a valid transaction; sending it again cannot help. */
const MESSAGE_CODES = new Set(["EENVELOPE", "EMESSAGE", "EMAXRECIPIENTS"]);

/** The fields of a nodemailer error, read from an unknown value without trusting its shape. */
interface SmtpErrorFields {
  readonly message: string;
  /** nodemailer's code: ESOCKET, ETIMEDOUT, EAUTH, … */
  readonly code: string | undefined;
  /** The system's code that nodemailer replaced, e.g. ECONNREFUSED under ESOCKET, CERT_HAS_EXPIRED. */
  readonly originalCode: string | undefined;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
}

function fieldsOf(error: unknown): SmtpErrorFields {
  if (typeof error !== "object" || error === null) {
    return { message: String(error), code: undefined, originalCode: undefined, responseCode: undefined, response: undefined };
  }
  const record = error as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof record[key] === "string" ? record[key] : undefined);
  return {
    message: (text("message") ?? String(error)).trim(),
    code: text("code"),
    originalCode: text("originalCode"),
    responseCode: typeof record["responseCode"] === "number" ? record["responseCode"] : undefined,
    response: text("response")?.trim(),
  };
}

/** "550 5.1.1" from a reply like "550 5.1.1 <a@b>: Mailbox does not exist", or "550" without an enhanced status. */
function replyCode(responseCode: number, response: string | undefined): string {
  const enhanced = response?.match(/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/)?.[1];
  return enhanced ? `${responseCode} ${enhanced}` : String(responseCode);
}

/** A certificate the client refused, or TLS spoken to a plain server (secure: true on port 587). */
function isTlsSetupError(code: string | undefined): boolean {
  return code !== undefined && (code.includes("CERT") || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"));
}

/**
 * Sorts a failed SMTP send. An SMTP reply decides by its class (RFC 5321): 4xx temporary, 5xx
 * permanent, except 503 (bad sequence of commands: the session was in the wrong state, the message was
 * not judged). Anything without a reply (refused, reset, timed out, DNS) is temporary. The code is the
 * reply with its enhanced status ("550 5.1.1"), else the system's or nodemailer's code ("ECONNREFUSED").
 *
 * Wrong settings are not a bad message: a refused login (EAUTH, 530/534/535/538) or a TLS setup that
 * cannot work (certificate refused, `secure` not matching the port) would fail every message alike, and
 * marking them permanent would burn the whole outbox in minutes. They are temporary and pause the
 * channel for SETTINGS_PAUSE_MS, so the messages stay queued while the operator fixes the settings.
 */
export function classifySmtpError(error: unknown, context: SmtpErrorContext): SendFailure {
  const { message, code, originalCode, responseCode, response } = fieldsOf(error);
  const detail = context.redact(response ?? message);
  const resultCode = responseCode !== undefined ? replyCode(responseCode, response) : (originalCode ?? code ?? "unknown");
  const pause = { pauseChannelUntil: context.now() + SETTINGS_PAUSE_MS };
  const pausing = `The email channel pauses for ${SETTINGS_PAUSE_MS / 60_000} minutes.`;

  if ((responseCode !== undefined && LOGIN_REPLIES.has(responseCode)) || (code !== undefined && LOGIN_CODES.has(code))) {
    const check = "check channels.email.user and channels.email.password (and the environment variables they name)";
    return {
      ok: false,
      kind: "temporary",
      code: resultCode,
      message: `SMTP server ${context.server} did not accept the login (${detail}): ${check}. ${pausing}`,
      ...pause,
    };
  }
  if ((code !== undefined && CONNECTION_SETTINGS_CODES.has(code)) || isTlsSetupError(originalCode) || isTlsSetupError(code)) {
    const check =
      "check channels.email.host, port and secure (secure: true is for port 465; 587 and 25 upgrade with STARTTLS) and the server's certificate";
    return {
      ok: false,
      kind: "temporary",
      code: resultCode,
      message: `could not set up the connection to SMTP server ${context.server} (${detail}): ${check}. ${pausing}`,
      ...pause,
    };
  }
  if (responseCode !== undefined) {
    const permanent = responseCode >= 500 && responseCode !== 503;
    return {
      ok: false,
      kind: permanent ? "permanent" : "temporary",
      code: resultCode,
      message: `SMTP server ${context.server} ${permanent ? "rejected" : "deferred"} the message: ${detail}`,
    };
  }
  if (code !== undefined && MESSAGE_CODES.has(code)) {
    return { ok: false, kind: "permanent", code, message: `the message cannot be sent over SMTP: ${detail}` };
  }
  return {
    ok: false,
    kind: "temporary",
    code: resultCode,
    message: `could not complete the exchange with SMTP server ${context.server}: ${detail}`,
  };
}
