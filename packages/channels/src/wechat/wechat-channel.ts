import type { Channel, OutgoingMessage, SendResult } from "../contract/channel.js";
import { AccessTokenCache } from "./access-token-cache.js";
import { httpJsonClient } from "./http-json.js";
import { assertTimeZone } from "./next-midnight.js";
import { Redactor } from "./redactor.js";
import { readSendAnswer } from "./send-answer.js";
import { templateSendBody, WECHAT_DEDUP_WINDOW_MS } from "./template-request.js";
import { fetchAccessToken, type TokenEndpoint } from "./token-endpoint.js";

export { WECHAT_DEDUP_WINDOW_MS } from "./template-request.js";
export type { TokenEndpoint } from "./token-endpoint.js";

export interface WechatChannelOptions {
  readonly appId: string;
  readonly appSecret: string;
  /** The API root; default https://api.weixin.qq.com. Tests point it at a local server. */
  readonly baseUrl?: string;
  /** Sends in flight at once (default 8). */
  readonly concurrency?: number;
  /** The most sends per second; default none. */
  readonly ratePerSecond?: number;
  /** Bound on each HTTP exchange with WeChat, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** The clock (epoch ms), for tests. */
  readonly now?: () => number;
  /** Where the daily quota resets at midnight (default Asia/Shanghai). */
  readonly quotaTimezone?: string;
  /** Which API issues access tokens (default "stable"; see TokenEndpoint for why). */
  readonly tokenEndpoint?: TokenEndpoint;
}

const DEFAULT_BASE_URL = "https://api.weixin.qq.com";

/**
 * WeChat official-account template messages (POST /cgi-bin/message/template/send), over plain
 * HTTP with a shared access token. Each send carries a client_msg_id derived from the message key,
 * so WeChat drops a repeat of the same message to the same member within WECHAT_DEDUP_WINDOW_MS:
 * the channel is idempotent in that window. Options are checked here; a mistake throws at once.
 */
export function wechatChannel(options: WechatChannelOptions): Channel {
  const settings = checkOptions(options);
  const now = options.now ?? Date.now;
  const redactor = new Redactor();
  redactor.addSecret(options.appSecret);
  const http = httpJsonClient({ timeoutMs: settings.timeoutMs, maxSockets: settings.concurrency + 1 });
  const tokens = new AccessTokenCache(async () => {
    const fetched = await fetchAccessToken({
      apiRoot: settings.apiRoot,
      appId: options.appId,
      appSecret: options.appSecret,
      endpoint: settings.tokenEndpoint,
      http,
      now,
      quotaTimezone: settings.quotaTimezone,
    });
    if (fetched.ok) redactor.addToken(fetched.token);
    return fetched;
  }, now);
  let closed = false;

  async function post(token: string, body: ReturnType<typeof templateSendBody>) {
    const url = new URL(`cgi-bin/message/template/send?${new URLSearchParams({ access_token: token }).toString()}`, settings.apiRoot);
    const outcome = await http.post(url, body);
    return readSendAnswer(outcome, { now: now(), quotaTimezone: settings.quotaTimezone, clientMsgId: body.client_msg_id });
  }

  async function sendTemplate(message: Extract<OutgoingMessage, { channel: "wechat" }>): Promise<SendResult> {
    const body = templateSendBody(message);
    const first = await tokens.get();
    if (!first.ok) return first.failure;
    const answer = await post(first.token, body);
    if (answer.kind === "result") return answer.result;
    // The token was refused: retry once with a fresh one (or the one another send already fetched).
    const fresh = await tokens.replace(first.token);
    if (!fresh.ok) return fresh.failure;
    const retried = await post(fresh.token, body);
    return retried.kind === "result" ? retried.result : retried.failure;
  }

  return {
    name: "wechat",
    provider: "wechat-official-account",
    concurrency: settings.concurrency,
    ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
    idempotent: true,
    idempotentForMs: WECHAT_DEDUP_WINDOW_MS,
    async send(message: OutgoingMessage): Promise<SendResult> {
      if (message.channel !== "wechat") {
        return {
          ok: false,
          kind: "permanent",
          code: "wrong-channel",
          message: `a ${message.channel} message was given to the wechat channel`,
        };
      }
      if (closed)
        return {
          ok: false,
          kind: "temporary",
          code: "closed",
          message: "wechat: the channel was closed before this send; it will be retried",
        };
      let result: SendResult;
      try {
        result = await sendTemplate(message);
      } catch (error) {
        // Nothing above should throw; if it does, the message stays queued rather than lost.
        result = { ok: false, kind: "temporary", code: "internal-error", message: `wechat: sending failed unexpectedly: ${String(error)}` };
      }
      return result.ok ? result : { ...result, message: redactor.redact(result.message) };
    },
    async close(): Promise<void> {
      closed = true;
      http.close();
    },
  };
}

interface CheckedSettings {
  readonly apiRoot: URL;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly quotaTimezone: string;
  readonly tokenEndpoint: TokenEndpoint;
}

function checkOptions(options: WechatChannelOptions): CheckedSettings {
  const problem = (what: string): Error => new Error(`wechat channel: ${what}`);
  if (typeof options.appId !== "string" || options.appId.trim() === "")
    throw problem("appId is empty; set channels.wechat.appId in patron.yaml");
  if (typeof options.appSecret !== "string" || options.appSecret.trim() === "") {
    throw problem("appSecret is empty; set channels.wechat.appSecret in patron.yaml (and the environment variable it names)");
  }
  const base = options.baseUrl ?? DEFAULT_BASE_URL;
  let apiRoot: URL;
  try {
    // A trailing slash makes relative paths like "cgi-bin/token" land under the root, prefix included.
    apiRoot = new URL(base.endsWith("/") ? base : `${base}/`);
  } catch {
    throw problem(`baseUrl "${base}" is not a URL; use the API root, e.g. ${DEFAULT_BASE_URL}`);
  }
  if (apiRoot.protocol !== "https:" && apiRoot.protocol !== "http:")
    throw problem(`baseUrl "${base}" must be an http(s) URL, e.g. ${DEFAULT_BASE_URL}`);
  if (apiRoot.search !== "" || apiRoot.hash !== "") throw problem(`baseUrl "${base}" must be the API root, without a query or fragment`);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw problem(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0))
    throw problem(`ratePerSecond must be above 0, not ${options.ratePerSecond}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw problem(`timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`);
  const quotaTimezone = options.quotaTimezone ?? "Asia/Shanghai";
  try {
    assertTimeZone(quotaTimezone);
  } catch {
    throw problem(`quotaTimezone "${quotaTimezone}" is not a time zone this runtime knows; use an IANA name such as Asia/Shanghai`);
  }
  const tokenEndpoint = options.tokenEndpoint ?? "stable";
  if (tokenEndpoint !== "stable" && tokenEndpoint !== "classic")
    throw problem(`tokenEndpoint must be "stable" or "classic", not "${String(tokenEndpoint)}"`);
  return { apiRoot, concurrency, timeoutMs, quotaTimezone, tokenEndpoint };
}
