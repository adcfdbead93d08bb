import { domainToASCII } from "node:url";
import { addressparser, nodemailer } from "./sdk.js";
import type { Channel, OutgoingMessage, SendResult } from "../contract/channel.js";
import { classifySmtpError } from "./classify-smtp-error.js";
import { smtpMessageId } from "./message-id.js";
import { redactor } from "./redact.js";

export interface SmtpChannelOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (port 465); false means plain, upgraded with STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Login, given as values (the caller resolves environment variables). Both or neither. */
  readonly user?: string;
  readonly password?: string;
  /** The sender, e.g. "丽美 Lumière Beauty <club@lumiere.example>"; its domain also ends every Message-ID. */
  readonly from: string;
  readonly replyTo?: string;
  /** Pooled connections, and so the channel's concurrency (default 5). */
  readonly maxConnections?: number;
  /** Messages per second across the pool; unlimited when unset. */
  readonly ratePerSecond?: number;
  /** Limit for connecting, the greeting and any silence from the server mid-exchange (default 30 s). */
  readonly timeoutMs?: number;
  /** TLS settings; tests turn certificate checks off for a self-signed server. */
  readonly tls?: { readonly rejectUnauthorized?: boolean };
}

const DEFAULT_MAX_CONNECTIONS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Email over SMTP through a nodemailer connection pool. Each message becomes one mail with a text
 * and/or an HTML part, RFC 8058 one-click unsubscribe headers when the message has an unsubscribe
 * address, and a Message-ID derived from the message key (see smtpMessageId).
 *
 * SMTP cannot be asked whether a message went through, so there is no lookup and the channel is not
 * idempotent; the stable Message-ID is what lets receivers drop a resent copy. Retrying is the
 * dispatcher's job alone: the pool does not re-queue a message whose connection dropped
 * (maxRequeues 0), since it cannot know whether the server had already accepted it.
 */
export function smtpChannel(options: SmtpChannelOptions): Channel {
  const settings = checkOptions(options);
  const transport = nodemailer().createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    secure: options.secure,
    auth: options.user !== undefined ? { user: options.user, pass: options.password } : undefined,
    maxConnections: settings.maxConnections,
    maxRequeues: 0,
    ...rateWindow(options.ratePerSecond),
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    tls: options.tls ? { ...options.tls } : undefined,
    logger: false,
  });
  // The pool hands each message's failure to its own send; an 'error' event without a listener would end the process.
  transport.on("error", () => {});
  const errorContext = {
    server: `${options.host}:${options.port}`,
    redact: redactor(options.user, options.password),
    now: () => Date.now(),
  };
  const inFlight = new Set<Promise<SendResult>>();
  let closed = false;

  async function deliver(message: Extract<OutgoingMessage, { channel: "email" }>): Promise<SendResult> {
    const recipient = singleAddress(message.to);
    if (recipient === undefined) {
      const problem = `the member's email address "${message.to}" is not one address; correct it in the member data`;
      return { ok: false, kind: "permanent", code: "invalid-address", message: problem };
    }
    const messageId = smtpMessageId(message.key, settings.senderDomain);
    try {
      const info = await transport.sendMail({
        from: options.from,
        replyTo: options.replyTo,
        to: recipient,
        subject: message.subject,
        text: message.text === "" && message.html !== undefined ? undefined : message.text,
        html: message.html,
        messageId,
        list: message.unsubscribeUrl === undefined ? undefined : { unsubscribe: message.unsubscribeUrl },
        headers: message.unsubscribeUrl === undefined ? undefined : { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      });
      // Some servers (Microsoft 365, Amazon SES) replace the Message-ID and name theirs in the reply; the reply
      // itself usually holds the server's queue id, which is what its logs are searched by.
      const reply = errorContext.redact(info.response.trim());
      return { ok: true, providerId: reply ? `${info.serverMessageId ?? messageId} ${reply}` : (info.serverMessageId ?? messageId) };
    } catch (error) {
      return classifySmtpError(error, errorContext);
    }
  }

  return {
    name: "email",
    provider: "smtp",
    concurrency: settings.maxConnections,
    ratePerSecond: options.ratePerSecond,
    idempotent: false,
    async send(message: OutgoingMessage): Promise<SendResult> {
      if (message.channel !== "email") {
        return {
          ok: false,
          kind: "permanent",
          code: "wrong-channel",
          message: `a ${message.channel} message was given to the email channel`,
        };
      }
      if (closed) {
        return {
          ok: false,
          kind: "temporary",
          code: "channel-closed",
          message: "the email channel was closed before this message was sent",
        };
      }
      const sending = deliver(message);
      inFlight.add(sending);
      try {
        return await sending;
      } finally {
        inFlight.delete(sending);
      }
    },
    async close(): Promise<void> {
      closed = true;
      // Idle connections close now; a connection in the middle of a message finishes it first. Messages still waiting in
      // the pool's queue fail as temporary (ECONNECTION), so they stay in the outbox.
      transport.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

interface CheckedSettings {
  readonly senderDomain: string;
  readonly maxConnections: number;
  readonly timeoutMs: number;
}

function fail(what: string): never {
  throw new Error(`email channel (smtp): ${what}`);
}

function checkOptions(options: SmtpChannelOptions): CheckedSettings {
  if (options.host.trim() === "") {
    fail("channels.email.host is empty; set it to the SMTP server's name, e.g. smtp.example.com");
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    fail(`channels.email.port must be a port number (465 for secure, 587 or 25 otherwise), got ${options.port}`);
  }
  if ((options.user === undefined) !== (options.password === undefined)) {
    fail("channels.email.user and channels.email.password must be set together (or both left out for a server without login)");
  }
  const sender = singleAddress(options.from);
  // ASCII (punycode) for an internationalised domain: the Message-ID header has no room for anything else.
  const senderDomain = sender === undefined ? "" : domainToASCII(sender.slice(sender.lastIndexOf("@") + 1));
  if (senderDomain === "") {
    fail(`channels.email.from must be one address like "丽美 Lumière Beauty <club@lumiere.example>", got "${options.from}"`);
  }
  if (options.replyTo !== undefined && singleAddress(options.replyTo) === undefined) {
    fail(`channels.email.replyTo must be one email address, got "${options.replyTo}"`);
  }
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    fail(`channels.email.maxConnections must be a whole number ≥ 1, got ${maxConnections}`);
  }
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) {
    fail(`channels.email.ratePerSecond must be above 0 (leave it out for no limit), got ${options.ratePerSecond}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) fail(`the SMTP timeout must be above 0 ms, got ${timeoutMs}`);
  return { senderDomain, maxConnections, timeoutMs };
}

/** nodemailer counts messages per window: n per second, or one per 1/r s for a rate that is not a whole number. */
function rateWindow(ratePerSecond: number | undefined): { rateLimit?: number; rateDelta?: number } {
  if (ratePerSecond === undefined) return {};
  return Number.isInteger(ratePerSecond)
    ? { rateLimit: ratePerSecond, rateDelta: 1000 }
    : { rateLimit: 1, rateDelta: 1000 / ratePerSecond };
}

/** The address of a field holding exactly one mailbox ("Name <a@b>" or "a@b"), else undefined. */
function singleAddress(field: string): string | undefined {
  const parsed = addressparser()(field, { flatten: true });
  const only = parsed.length === 1 ? parsed[0] : undefined;
  return only && /^[^@\s]+@[^@\s]+$/.test(only.address) ? only.address : undefined;
}
