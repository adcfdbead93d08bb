import { CONFIG_PAUSE_MS, setting, describe, failureOfExchange, failureOfStatus, parseAnswer, type SendFailure } from "./failures.js";
import type { HttpJsonClient } from "./http-json.js";
import { formatWallClock, nextMidnight } from "./next-midnight.js";

/**
 * Which WeChat API issues the access token.
 *
 * "stable" (the default) is POST /cgi-bin/stable_token. In its normal mode every caller gets the
 * same token until shortly before it expires, and its tokens are kept apart from those of
 * GET /cgi-bin/token. That matters twice over: several dispatcher workers can each fetch without
 * invalidating each other's token, and Patron never invalidates the token of the business's other
 * systems (its CRM, its mini-program backend) that share the official account and still use the
 * classic endpoint — where every fetch replaces the previous token, which then dies within 5 minutes.
 * Patron never uses stable_token's force_refresh: WeChat allows it 20 times a day, meant for a leaked token.
 *
 * "classic" is GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…, for accounts or
 * gateways that only offer it. Its URL carries the AppSecret, which is redacted from every error text.
 */
export type TokenEndpoint = "stable" | "classic";

export type FetchedToken =
  { readonly ok: true; readonly token: string; readonly expiresInMs: number } | { readonly ok: false; readonly failure: SendFailure };

export interface TokenEndpointSettings {
  readonly apiRoot: URL;
  readonly appId: string;
  readonly appSecret: string;
  readonly endpoint: TokenEndpoint;
  readonly http: HttpJsonClient;
  readonly now: () => number;
  readonly quotaTimezone: string;
}

const WHAT = "wechat: fetching the access token failed";

/** Asks WeChat for an access token. Never rejects: every failure comes back classified. */
export async function fetchAccessToken(settings: TokenEndpointSettings): Promise<FetchedToken> {
  const outcome =
    settings.endpoint === "stable"
      ? await settings.http.post(new URL("cgi-bin/stable_token", settings.apiRoot), {
          grant_type: "client_credential",
          appid: settings.appId,
          secret: settings.appSecret,
          force_refresh: false,
        })
      : await settings.http.get(
          new URL(
            `cgi-bin/token?${new URLSearchParams({ grant_type: "client_credential", appid: settings.appId, secret: settings.appSecret }).toString()}`,
            settings.apiRoot,
          ),
        );
  if (outcome.kind === "network") return { ok: false, failure: failureOfExchange(outcome, WHAT, "token:") };
  if (outcome.status !== 200) return { ok: false, failure: failureOfStatus(outcome.status, outcome.text, WHAT, settings.now(), "token:") };

  const answer = parseAnswer(outcome.text);
  const token = answer?.fields["access_token"];
  const expiresIn = answer?.fields["expires_in"];
  if (answer && answer.errcode === 0 && typeof token === "string" && token !== "" && typeof expiresIn === "number" && expiresIn > 0) {
    return { ok: true, token, expiresInMs: expiresIn * 1000 };
  }
  if (!answer || answer.errcode === 0) {
    return {
      ok: false,
      failure: {
        ok: false,
        kind: "temporary",
        code: "token:bad-response",
        message: `${WHAT}: the answer has no access_token and expires_in; check ${setting("baseUrl")} (the API root, https://api.weixin.qq.com); WeChat sending is paused for ${CONFIG_PAUSE_MS / 60_000} minutes`,
        pauseChannelUntil: settings.now() + CONFIG_PAUSE_MS,
      },
    };
  }
  return { ok: false, failure: tokenRefusal(answer.errcode, describe(answer), settings) };
}

function tokenRefusal(errcode: number, said: string, settings: TokenEndpointSettings): SendFailure {
  const code = `token:${errcode}`;
  const now = settings.now();
  if (errcode === -1) {
    return { ok: false, kind: "temporary", code, message: `${WHAT}: WeChat is busy (${said}); it will be retried` };
  }
  if (errcode === 45009) {
    const until = nextMidnight(now, settings.quotaTimezone);
    return {
      ok: false,
      kind: "temporary",
      code,
      message: `${WHAT}: the daily limit of token requests is spent (${said}); WeChat sending is paused until ${formatWallClock(until, settings.quotaTimezone)} ${settings.quotaTimezone}, when it resets. Something is fetching tokens far too often: look for other systems using this AppID`,
      pauseChannelUntil: until,
    };
  }
  return {
    ok: false,
    kind: "temporary",
    code,
    message: `${WHAT}: WeChat refused the account's credentials (${said}). ${credentialAdvice(errcode)} WeChat sending is paused for ${CONFIG_PAUSE_MS / 60_000} minutes; queued messages stay queued.`,
    pauseChannelUntil: now + CONFIG_PAUSE_MS,
  };
}

function credentialAdvice(errcode: number): string {
  switch (errcode) {
    case 40013:
    case 41002:
      return `Check ${setting("appId")}: it must be the official account's AppID (wx…), from 设置与开发 → 基本配置.`;
    case 40125:
    case 41004:
    case 40001: // the classic endpoint's answer to a wrong secret
      return `Check ${setting("appSecret")} (and the environment variable it names): it must be the account's current AppSecret (resetting it in 基本配置 replaces the old one).`;
    case 40164:
    case 61004:
      return "Add this server's public IP address to the account's IP whitelist (设置与开发 → 基本配置 → IP白名单).";
    default:
      return `Check ${setting("appId")} and appSecret, and that this server's IP address is on the account's IP whitelist.`;
  }
}
