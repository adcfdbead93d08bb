import type { SendResult } from "../contract/channel.js";
import { snippet, type HttpOutcome } from "./http-json.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * How long the channel pauses when WeChat refuses the account's settings (wrong AppID or
 * AppSecret, server IP not whitelisted, no template permission). A wrong setting fails every
 * message alike: pausing keeps them queued as temporary failures, instead of burning the whole
 * outbox as permanent ones, until someone fixes patron.yaml and the next run picks them up.
 */
export const CONFIG_PAUSE_MS = 5 * 60_000;

/** Where the operator fixes a setting: "channels.wechat.baseUrl in patron.yaml". */
export function setting(name: string): string {
  return `channels.wechat.${name} in patron.yaml`;
}

/** Prefixes every code of a failure of the token request, so reports tell it apart from a send's. */
export function failureOfExchange(outcome: Exclude<HttpOutcome, { kind: "response" }>, what: string, codePrefix = ""): SendFailure {
  const advice =
    outcome.code === "timeout"
      ? "WeChat did not answer in time; it will be retried"
      : `the connection failed (${outcome.detail}); it will be retried — if it keeps failing, check ${setting("baseUrl")} and this server's network`;
  return { ok: false, kind: "temporary", code: `${codePrefix}${outcome.code}`, message: `${what}: ${advice}` };
}

/** An HTTP status other than 200: WeChat itself always answers 200, with an errcode. */
export function failureOfStatus(status: number, text: string, what: string, now: number, codePrefix = ""): SendFailure {
  const body = snippet(text);
  const answer = `HTTP ${status}${body === "" ? "" : ` (${body})`}`;
  if (status >= 500 || status === 429) {
    return {
      ok: false,
      kind: "temporary",
      code: `${codePrefix}http-${status}`,
      message: `${what}: WeChat answered ${answer}; it will be retried`,
    };
  }
  // A 404 or 403 means the request never reached the WeChat API: a wrong baseUrl or a proxy in the way.
  return {
    ok: false,
    kind: "temporary",
    code: `${codePrefix}http-${status}`,
    message: `${what}: the server answered ${answer}, which the WeChat API never does; check ${setting("baseUrl")} (the API root, https://api.weixin.qq.com) and any proxy in between; WeChat sending is paused for ${CONFIG_PAUSE_MS / 60_000} minutes`,
    pauseChannelUntil: now + CONFIG_PAUSE_MS,
  };
}

/** WeChat's { errcode, errmsg } envelope, parsed leniently: fields of the wrong type are ignored. */
export interface WechatAnswer {
  readonly errcode: number;
  readonly errmsg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function parseAnswer(text: string): WechatAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  const errcode = typeof fields["errcode"] === "number" ? fields["errcode"] : 0;
  const errmsg = typeof fields["errmsg"] === "string" ? fields["errmsg"] : "";
  return { errcode, errmsg, fields };
}

/** "45009 reach max api daily quota limit rid: …": WeChat's own words, for the operator. */
export function describe(answer: WechatAnswer): string {
  return answer.errmsg === "" ? `errcode ${answer.errcode}` : `${answer.errcode} ${answer.errmsg}`;
}
