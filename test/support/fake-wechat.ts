import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * A WeChat official-account API on 127.0.0.1, for tests of the WeChat channel and end-to-end runs:
 * the two token endpoints (GET /cgi-bin/token, POST /cgi-bin/stable_token) and the template send
 * (POST /cgi-bin/message/template/send), speaking WeChat's JSON, with faults on demand.
 * It is a real HTTP server; point the channel's baseUrl at `fake.baseUrl`.
 */

/** What the next send (or token) request suffers instead of being served. */
export type WechatFault =
  | { readonly errcode: WechatErrcode }
  /** Answer with this HTTP status; the body echoes the request line, as some proxies' error pages do. */
  | { readonly status: number }
  /** Never answer (until close). */
  | { readonly kind: "timeout" }
  /** Read the request, then destroy the socket without recording anything. */
  | { readonly kind: "reset" }
  /** Serve the request (recording the message), then destroy the socket instead of answering. */
  | { readonly kind: "accept-then-reset" };

/** The errcodes the fake speaks (see ERRMSG). */
export type WechatErrcode =
  | -1
  | 40001
  | 40002
  | 40003
  | 40013
  | 40014
  | 40037
  | 40125
  | 40164
  | 41001
  | 41002
  | 41004
  | 42001
  | 43004
  | 45009
  | 47001
  | 47003
  | 48001;

/** WeChat's errmsg for the errcodes the fake speaks (a " rid: …" request id is appended, as WeChat does). */
const ERRMSG: Readonly<Record<WechatErrcode, string>> = {
  [-1]: "system error",
  40001: "invalid credential, access_token is invalid or not latest",
  40002: "invalid grant_type",
  40003: "invalid openid",
  40013: "invalid appid",
  40014: "invalid access_token",
  40037: "invalid template_id",
  40125: "invalid appsecret",
  40164: "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist",
  41001: "access_token missing",
  41002: "appid missing",
  41004: "appsecret missing",
  42001: "access_token expired",
  43004: "require subscribe",
  45009: "reach max api daily quota limit",
  47001: "data format error",
  47003: "argument invalid!",
  48001: "api unauthorized",
};

/** A template message the fake accepted: what a member would have received. */
export interface ReceivedTemplateMessage {
  readonly touser: string;
  readonly template_id: string;
  readonly url?: string;
  readonly miniprogram?: { readonly appid: string; readonly pagepath: string };
  readonly data: Readonly<Record<string, { readonly value: string }>>;
  readonly client_msg_id?: string;
  /** As WeChat sends it: a 64-bit number, beyond JavaScript's exact integers, so kept as text. */
  readonly msgid: string;
  readonly receivedAt: number;
}

export interface FakeWechatOptions {
  /** Default "wx0fake0app0id0001". */
  readonly appId?: string;
  /** Default "fake-app-secret-0123456789abcdef". */
  readonly appSecret?: string;
  /** The expires_in of new tokens, in seconds (default 7200, as WeChat). */
  readonly expiresIn?: number;
  /** The clock (epoch ms) for token expiry, de-duplication and receivedAt; share it with the channel's. */
  readonly now?: () => number;
  /** When set, only these OpenIDs follow the account; others get 43004. */
  readonly followers?: Iterable<string>;
  /** When set, only these template ids exist; others get 40037. */
  readonly templates?: Iterable<string>;
}

export interface FakeWechat {
  /** The API root, e.g. http://127.0.0.1:54321 — the channel's baseUrl. */
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  /** Every template message accepted, in order; a de-duplicated repeat is not recorded again. */
  readonly messages: readonly ReceivedTemplateMessage[];
  /** Requests to either token endpoint, refused ones included. */
  readonly tokenFetches: number;
  /** Requests to the template send endpoint, faulted ones included. */
  readonly sendRequests: number;
  /** Every access token issued, oldest first. */
  readonly issuedTokens: readonly string[];
  /** The next `times` (default 1) send requests suffer `fault`. Queued faults come before the plan. */
  failNext(fault: WechatFault, times?: number): void;
  /** The next `times` token requests suffer `fault` (errcode, status, timeout or reset). */
  failNextToken(fault: WechatFault, times?: number): void;
  /** Decides a fault (or none) for each send request by its index (0 for the first ever). */
  setFaultPlan(plan: ((requestIndex: number) => WechatFault | undefined) | undefined): void;
  /** Every token issued so far now answers 40001, as after a force refresh or an AppSecret reset. */
  invalidateTokens(): void;
  /** Every token issued so far now answers 42001. */
  expireTokens(): void;
  /** The expires_in (seconds) of tokens issued from now on. */
  setExpiresIn(seconds: number): void;
  /** Ends every connection (held "timeout" requests included) and stops the server. */
  close(): Promise<void>;
}

/** WeChat de-duplicates one (openid, client_msg_id) for 10 minutes. */
const DEDUP_WINDOW_MS = 10 * 60_000;
/** A stable token is renewed when less than this is left of it (WeChat: its last 5 minutes). */
const STABLE_RENEW_MS = 5 * 60_000;

interface IssuedToken {
  readonly expiresAt: number;
  readonly lifetimeMs: number;
  revoked?: 40001 | 42001;
}

type Reply = { readonly kind: "json"; readonly body: string } | { readonly kind: "fault"; readonly fault: WechatFault };

export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  const appId = options.appId ?? "wx0fake0app0id0001";
  const appSecret = options.appSecret ?? "fake-app-secret-0123456789abcdef";
  const now = options.now ?? Date.now;
  const followers = options.followers ? new Set(options.followers) : undefined;
  const templates = options.templates ? new Set(options.templates) : undefined;
  let expiresIn = options.expiresIn ?? 7200;

  const tokens = new Map<string, IssuedToken>();
  const issuedTokens: string[] = [];
  let stableToken: string | undefined;
  const messages: ReceivedTemplateMessage[] = [];
  const delivered = new Map<string, { readonly msgid: string; readonly at: number }>();
  const sendFaults: WechatFault[] = [];
  const tokenFaults: WechatFault[] = [];
  let plan: ((requestIndex: number) => WechatFault | undefined) | undefined;
  let tokenFetches = 0;
  let sendRequests = 0;
  // Real msgids are 64-bit; starting above 2^53 catches a client that reads them as JS numbers.
  let nextMsgid = 3_147_483_648_000_000_001n;

  const errorBody = (errcode: WechatErrcode): string =>
    JSON.stringify({ errcode, errmsg: `${ERRMSG[errcode]} rid: ${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}` });
  const json = (body: unknown): Reply => ({ kind: "json", body: JSON.stringify(body) });
  const error = (errcode: WechatErrcode): Reply => ({ kind: "json", body: errorBody(errcode) });

  function issue(): { access_token: string; expires_in: number } {
    const token = `FAKE_TOKEN_${issuedTokens.length + 1}_${randomBytes(12).toString("hex")}`;
    tokens.set(token, { expiresAt: now() + expiresIn * 1000, lifetimeMs: expiresIn * 1000 });
    issuedTokens.push(token);
    return { access_token: token, expires_in: expiresIn };
  }

  function checkCredentials(appid: unknown, secret: unknown, wrongSecret: WechatErrcode): Reply | undefined {
    if (typeof appid !== "string" || appid === "") return error(41002);
    if (appid !== appId) return error(40013);
    if (typeof secret !== "string" || secret === "") return error(41004);
    if (secret !== appSecret) return error(wrongSecret);
    return undefined;
  }

  function classicToken(query: URLSearchParams): Reply {
    if (query.get("grant_type") !== "client_credential") return error(40002);
    // The classic endpoint answers a wrong secret with 40001; every fetch issues a new token.
    // (WeChat keeps the previous one alive for 5 more minutes; here it lives out its expires_in.)
    return checkCredentials(query.get("appid"), query.get("secret"), 40001) ?? json(issue());
  }

  function stableTokenReply(body: Record<string, unknown>): Reply {
    if (body["grant_type"] !== "client_credential") return error(40002);
    const refused = checkCredentials(body["appid"], body["secret"], 40125);
    if (refused) return refused;
    if (body["force_refresh"] === true) {
      for (const issued of tokens.values()) issued.revoked ??= 40001;
      stableToken = undefined;
    }
    // Normal mode: the same token for everyone until its last minutes, then a new one.
    const current = stableToken === undefined ? undefined : tokens.get(stableToken);
    if (stableToken !== undefined && current && current.revoked === undefined) {
      const left = current.expiresAt - now();
      if (left > Math.min(STABLE_RENEW_MS, current.lifetimeMs / 2))
        return json({ access_token: stableToken, expires_in: Math.floor(left / 1000) });
    }
    const fresh = issue();
    stableToken = fresh.access_token;
    return json(fresh);
  }

  function tokenError(token: string | null): WechatErrcode | undefined {
    if (token === null || token === "") return 41001;
    const issued = tokens.get(token);
    if (!issued) return 40001;
    if (issued.revoked !== undefined) return issued.revoked;
    return now() >= issued.expiresAt ? 42001 : undefined;
  }

  function templateSend(query: URLSearchParams, text: string): Reply {
    const refused = tokenError(query.get("access_token"));
    if (refused !== undefined) return error(refused);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return error(47001);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return error(47001);
    const fields = body as Record<string, unknown>;
    const { touser, template_id, url, miniprogram, data, client_msg_id } = fields;
    if (typeof touser !== "string" || touser === "") return error(40003);
    if (typeof template_id !== "string" || template_id === "" || (templates && !templates.has(template_id))) return error(40037);
    if (followers && !followers.has(touser)) return error(43004);
    if (url !== undefined && typeof url !== "string") return error(47003);
    const link = parseMiniprogram(miniprogram);
    const values = parseData(data);
    if (link === "invalid" || values === undefined) return error(47003);
    if (client_msg_id !== undefined && typeof client_msg_id !== "string") return error(47003);

    const dedupKey = client_msg_id === undefined ? undefined : `${touser}\u0000${client_msg_id}`;
    const earlier = dedupKey === undefined ? undefined : delivered.get(dedupKey);
    // A repeat within the window is dropped; it answers as the first send did (the real API's answer to
    // a repeat is not documented: success with the first msgid is the assumption the channel also copes with).
    if (earlier && now() - earlier.at < DEDUP_WINDOW_MS)
      return { kind: "json", body: `{"errcode":0,"errmsg":"ok","msgid":${earlier.msgid}}` };

    const msgid = String(nextMsgid++);
    messages.push({
      touser,
      template_id,
      ...(url !== undefined ? { url } : {}),
      ...(link !== undefined ? { miniprogram: link } : {}),
      data: values,
      ...(client_msg_id !== undefined ? { client_msg_id } : {}),
      msgid,
      receivedAt: now(),
    });
    if (dedupKey !== undefined) delivered.set(dedupKey, { msgid, at: now() });
    return { kind: "json", body: `{"errcode":0,"errmsg":"ok","msgid":${msgid}}` };
  }

  function route(request: IncomingMessage, url: URL, text: string): Reply {
    if (url.pathname === "/cgi-bin/token" && request.method === "GET") {
      tokenFetches++;
      const fault = tokenFaults.shift();
      return fault ? { kind: "fault", fault } : classicToken(url.searchParams);
    }
    if (url.pathname === "/cgi-bin/stable_token" && request.method === "POST") {
      tokenFetches++;
      const fault = tokenFaults.shift();
      if (fault) return { kind: "fault", fault };
      const body = parseObject(text);
      return body ? stableTokenReply(body) : error(47001);
    }
    if (url.pathname === "/cgi-bin/message/template/send" && request.method === "POST") {
      const index = sendRequests++;
      const fault = sendFaults.shift() ?? plan?.(index);
      if (fault && "kind" in fault && fault.kind === "accept-then-reset") {
        templateSend(url.searchParams, text);
        return { kind: "fault", fault };
      }
      return fault ? { kind: "fault", fault } : templateSend(url.searchParams, text);
    }
    return { kind: "fault", fault: { status: 404 } };
  }

  function answer(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
    if (reply.kind === "json") {
      response.writeHead(200, { "content-type": "application/json; encoding=utf-8" }).end(reply.body);
      return;
    }
    const fault = reply.fault;
    if ("errcode" in fault) response.writeHead(200, { "content-type": "application/json; encoding=utf-8" }).end(errorBody(fault.errcode));
    else if ("status" in fault)
      response.writeHead(fault.status, { "content-type": "text/plain" }).end(`${fault.status} for ${request.method} ${request.url}`);
    else if (fault.kind === "timeout") return;
    else request.socket.destroy();
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      answer(request, response, route(request, url, Buffer.concat(chunks).toString("utf8")));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    messages,
    get tokenFetches() {
      return tokenFetches;
    },
    get sendRequests() {
      return sendRequests;
    },
    issuedTokens,
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) sendFaults.push(fault);
    },
    failNextToken(fault, times = 1) {
      for (let i = 0; i < times; i++) tokenFaults.push(fault);
    },
    setFaultPlan(next) {
      plan = next;
    },
    invalidateTokens() {
      for (const issued of tokens.values()) issued.revoked = 40001;
    },
    expireTokens() {
      for (const issued of tokens.values()) issued.revoked = 42001;
    },
    setExpiresIn(seconds) {
      expiresIn = seconds;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseMiniprogram(value: unknown): { appid: string; pagepath: string } | undefined | "invalid" {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return "invalid";
  const { appid, pagepath } = value as Record<string, unknown>;
  return typeof appid === "string" && appid !== "" && typeof pagepath === "string" ? { appid, pagepath } : "invalid";
}

function parseData(value: unknown): Record<string, { value: string }> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const data: Record<string, { value: string }> = {};
  for (const [field, entry] of Object.entries(value as Record<string, unknown>)) {
    const text = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)["value"] : undefined;
    if (typeof text !== "string") return undefined;
    data[field] = { value: text };
  }
  return data;
}
