import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of Twilio's Messages API on 127.0.0.1, speaking enough of it for the official SDK: create
 * (POST) and list (GET) on /2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth, Twilio's JSON
 * shapes and error bodies. It records every accepted message and can be told to fail: a fault happens
 * before recording, so a failed request delivers nothing, except "accept-then-reset", which records
 * the message and then drops the connection (the ambiguous case a channel's lookup settles).
 */

/** An error answer (429 / 5xx / 4xx with Twilio's code), or a broken connection. */
export type TwilioFault =
  | { readonly status: number; readonly code?: number; readonly message?: string; readonly retryAfterSeconds?: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "reset" }
  | { readonly kind: "accept-then-reset" };

export type FakeRequestKind = "send" | "list";

export interface FakeTwilioRequest {
  readonly kind: FakeRequestKind;
  readonly method: string;
  readonly path: string;
}

export interface RecordedSms {
  readonly sid: string;
  readonly to: string;
  readonly from?: string;
  readonly messagingServiceSid?: string;
  readonly body: string;
  readonly statusCallback?: string;
  readonly receivedAt: Date;
}

export interface FakeTwilioOptions {
  readonly accountSid?: string;
  readonly authToken?: string;
  /**
   * When set, a message counts as handed to the carrier this many ms after it was accepted: it then
   * lists as "sent" with a date_sent. Unset (the default), messages stay queued with date_sent null,
   * as a message Twilio has not yet sent does.
   */
  readonly sentAfterMs?: number;
}

export interface FakeTwilio {
  /** Give this to the channel as its baseUrl. */
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every accepted message, in arrival order. */
  readonly messages: readonly RecordedSms[];
  /** API requests received so far (sends and lists, faulted or not). */
  readonly requestCount: number;
  /** Requests held by a "timeout" fault and not yet answered (they never are). */
  readonly heldCount: number;
  /** The next `times` requests of kind `on` (default: sends) meet `fault`, before any fault plan. */
  failNext(fault: TwilioFault, times?: number, on?: FakeRequestKind): void;
  /** Decides a fault for each API request by its 0-based index among all requests; undefined clears it. */
  setFaultPlan(plan: ((requestIndex: number, request: FakeTwilioRequest) => TwilioFault | undefined) | undefined): void;
  /** Stops the server, dropping every connection including held requests. */
  close(): Promise<void>;
}

const DEFAULT_ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token-7f3a9c";
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

/** Twilio's texts for the codes tests meet; a fault may bring its own. */
const TWILIO_MESSAGES: Readonly<Record<number, string>> = {
  20003: "Authenticate",
  20404: "The requested resource was not found",
  20429: "Too Many Requests",
  20500: "An internal server error has occurred",
  20503: "Service is unavailable. Please try again",
  21211: "Invalid 'To' Phone Number",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  21602: "Message body is required.",
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: "Attempt to send to unsubscribed recipient",
  21614: "'To' number is not a valid mobile number",
};

const DEFAULT_CODE_FOR_STATUS: Readonly<Record<number, number>> = { 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503 };

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
  const authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
  const messages: RecordedSms[] = [];
  const queued: { fault: TwilioFault; on: FakeRequestKind }[] = [];
  const held = new Set<ServerResponse>();
  let plan: ((requestIndex: number, request: FakeTwilioRequest) => TwilioFault | undefined) | undefined;
  let requestCount = 0;

  function faultFor(request: FakeTwilioRequest, index: number): TwilioFault | undefined {
    const queuedAt = queued.findIndex((q) => q.on === request.kind);
    if (queuedAt >= 0) return queued.splice(queuedAt, 1)[0]?.fault;
    return plan?.(index, request);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req);
    const match = MESSAGES_PATH.exec(url.pathname);
    const kind: FakeRequestKind | undefined = req.method === "POST" ? "send" : req.method === "GET" ? "list" : undefined;
    if (!match || !kind) return sendError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    const index = requestCount++;
    if (!authorized(req.headers.authorization, accountSid, authToken) || match[1] !== accountSid) {
      return sendError(res, 401, 20003, "Authenticate");
    }

    const fault = faultFor({ kind, method: req.method ?? "", path: url.pathname }, index);
    if (fault && "kind" in fault) {
      if (fault.kind === "timeout") {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      if (fault.kind === "reset" || kind === "list") {
        req.socket.destroy();
        return;
      }
    } else if (fault) {
      if (fault.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(fault.retryAfterSeconds));
      const code = fault.code ?? DEFAULT_CODE_FOR_STATUS[fault.status];
      return sendError(res, fault.status, code, fault.message ?? (code !== undefined ? TWILIO_MESSAGES[code] : undefined) ?? "Error");
    }

    if (kind === "list") return sendJson(res, 200, listPage(url));

    const form = new URLSearchParams(body);
    const to = form.get("To") ?? "";
    const text = form.get("Body") ?? "";
    const from = form.get("From") ?? undefined;
    const messagingServiceSid = form.get("MessagingServiceSid") ?? undefined;
    if (to === "") return sendError(res, 400, 21604, TWILIO_MESSAGES[21604] ?? "");
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (text === "") return sendError(res, 400, 21602, TWILIO_MESSAGES[21602] ?? "");
    if (from === undefined && messagingServiceSid === undefined) return sendError(res, 400, 21603, TWILIO_MESSAGES[21603] ?? "");

    const statusCallback = form.get("StatusCallback") ?? undefined;
    const recorded: RecordedSms = {
      sid: `SM${randomBytes(16).toString("hex")}`,
      to,
      body: text,
      receivedAt: new Date(),
      ...(from !== undefined ? { from } : {}),
      ...(messagingServiceSid !== undefined ? { messagingServiceSid } : {}),
      ...(statusCallback !== undefined ? { statusCallback } : {}),
    };
    messages.push(recorded);
    if (fault !== undefined && "kind" in fault && fault.kind === "accept-then-reset") {
      req.socket.destroy();
      return;
    }
    sendJson(res, 201, messageJson(recorded, accountSid, undefined));
  }

  /** Newest first, like Twilio; To, From and DateSent (=, <, >) filters; Page/PageSize paging. */
  function listPage(url: URL): object {
    const q = url.searchParams;
    const now = Date.now();
    const pageSize = Math.min(Math.max(Number(q.get("PageSize") ?? 50) || 50, 1), 1000);
    const page = Math.max(Number(q.get("Page") ?? 0) || 0, 0);
    const sentAt = (m: RecordedSms): number | undefined => {
      if (options.sentAfterMs === undefined) return undefined;
      const at = m.receivedAt.getTime() + options.sentAfterMs;
      return at <= now ? at : undefined;
    };
    const matching = messages
      .filter((m) => (q.has("To") ? m.to === q.get("To") : true))
      .filter((m) => (q.has("From") ? m.from === q.get("From") : true))
      .filter((m) => dateSentMatches(q, sentAt(m)))
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const base = url.pathname;
    const withPage = (n: number): string => {
      const params = new URLSearchParams(q);
      params.set("PageSize", String(pageSize));
      params.set("Page", String(n));
      if (n > 0) params.set("PageToken", `PASM${n}`);
      else params.delete("PageToken");
      return `${base}?${params.toString()}`;
    };
    const hasNext = (page + 1) * pageSize < matching.length;
    return {
      end: page * pageSize + Math.max(slice.length - 1, 0),
      first_page_uri: withPage(0),
      messages: slice.map((m) => messageJson(m, accountSid, sentAt(m))),
      next_page_uri: hasNext ? withPage(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? withPage(page - 1) : null,
      start: page * pageSize,
      uri: withPage(page),
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 20500, `fake Twilio failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    get messages() {
      return [...messages];
    },
    get requestCount() {
      return requestCount;
    },
    get heldCount() {
      return held.size;
    },
    failNext(fault, times = 1, on = "send") {
      for (let i = 0; i < times; i++) queued.push({ fault, on });
    },
    setFaultPlan(next) {
      plan = next;
    },
    close() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function authorized(header: string | undefined, accountSid: string, authToken: string): boolean {
  const match = /^Basic (.+)$/.exec(header ?? "");
  if (!match?.[1]) return false;
  return Buffer.from(match[1], "base64").toString("utf8") === `${accountSid}:${authToken}`;
}

/** Twilio documents DateSent as a GMT date (YYYY-MM-DD); the SDK sends a full date-time. Both are read. */
function dateSentMatches(q: URLSearchParams, sentAt: number | undefined): boolean {
  const filters: [string, (at: number, bound: number, dayOnly: boolean) => boolean][] = [
    ["DateSent", (at, bound, dayOnly) => (dayOnly ? at >= bound && at < bound + 86_400_000 : at === bound)],
    ["DateSent<", (at, bound, dayOnly) => (dayOnly ? at < bound + 86_400_000 : at <= bound)],
    ["DateSent>", (at, bound) => at >= bound],
  ];
  for (const [name, test] of filters) {
    const value = q.get(name);
    if (value === null) continue;
    const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const bound = Date.parse(dayOnly ? `${value}T00:00:00Z` : value);
    // A message not yet sent has no date_sent, and no DateSent filter selects it.
    if (sentAt === undefined || Number.isNaN(bound) || !test(sentAt, bound, dayOnly)) return false;
  }
  return true;
}

function messageJson(m: RecordedSms, accountSid: string, sentAt: number | undefined): object {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: m.body,
    date_created: rfc2822(m.receivedAt.getTime()),
    date_sent: sentAt === undefined ? null : rfc2822(sentAt),
    date_updated: rfc2822(sentAt ?? m.receivedAt.getTime()),
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: m.from ?? null,
    messaging_service_sid: m.messagingServiceSid ?? null,
    num_media: "0",
    num_segments: m.messagingServiceSid ? "0" : "1",
    price: null,
    price_unit: "USD",
    sid: m.sid,
    // A message through a Messaging Service is "accepted" until a sender is picked; one with a From is "queued".
    status: sentAt !== undefined ? "sent" : m.messagingServiceSid ? "accepted" : "queued",
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri,
  };
}

/** Twilio's dates: RFC 2822 in GMT, written "+0000". */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

function sendError(res: ServerResponse, status: number, code: number | undefined, message: string): void {
  sendJson(res, status, {
    code: code ?? null,
    message,
    more_info: code !== undefined ? `https://www.twilio.com/docs/errors/${code}` : null,
    status,
  });
}

function sendJson(res: ServerResponse, status: number, value: object): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
