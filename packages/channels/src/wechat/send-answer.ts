import type { SendResult } from "../contract/channel.js";
import { CONFIG_PAUSE_MS, setting, describe, failureOfExchange, failureOfStatus, parseAnswer, type SendFailure } from "./failures.js";
import type { HttpOutcome } from "./http-json.js";
import { formatWallClock, nextMidnight } from "./next-midnight.js";

/** errcodes that mean the access token was refused: invalid (40001), expired (42001), malformed (40014). */
const TOKEN_REJECTED = new Set([40001, 42001, 40014]);

export type SendAnswer =
  { readonly kind: "result"; readonly result: SendResult } | { readonly kind: "token-rejected"; readonly failure: SendFailure };

export interface AnswerContext {
  readonly now: number;
  readonly quotaTimezone: string;
  readonly clientMsgId: string;
}

const WHAT = "wechat: sending the template message failed";

/** Reads the answer to POST /cgi-bin/message/template/send. */
export function readSendAnswer(outcome: HttpOutcome, context: AnswerContext): SendAnswer {
  if (outcome.kind === "network") return result(failureOfExchange(outcome, WHAT));
  if (outcome.status !== 200) return result(failureOfStatus(outcome.status, outcome.text, WHAT, context.now));
  const answer = parseAnswer(outcome.text);
  if (!answer) {
    return result({
      ok: false,
      kind: "temporary",
      code: "bad-response",
      message: `${WHAT}: the answer is not WeChat's JSON; it will be retried — if it keeps happening, check ${setting("baseUrl")}`,
    });
  }
  // msgid is a 64-bit number: read from the raw text, as JSON.parse would round it above 2^53.
  // (msg_id is the mass-send API's spelling, in its answer to a repeated id.)
  const msgid = /"msg_?id"\s*:\s*"?(\d+)/.exec(outcome.text)?.[1];
  const said = describe(answer);
  const code = String(answer.errcode);
  const permanent = (advice: string): SendAnswer => result({ ok: false, kind: "permanent", code, message: `${WHAT}: ${said}. ${advice}` });
  switch (answer.errcode) {
    case 0:
      return result({ ok: true, providerId: msgid ?? `client_msg_id:${context.clientMsgId}` });
    case 45065:
      // The mass-send API's answer to a repeated id, carrying the first send's msgid; should the
      // template API answer a repeated client_msg_id likewise, the message went out once: success.
      if (msgid !== undefined) return result({ ok: true, providerId: msgid });
      break;
    case 43004:
      return permanent("The member does not follow the official account (or has unfollowed it); template messages reach followers only.");
    case 40003:
      return permanent(
        "The member's wechat_openid is not an OpenID of this official account (OpenIDs differ per account); correct it in the member data.",
      );
    case 40037:
      return permanent(
        `The template_id is not one of the account's templates; check the message's wechat templateId in patron.yaml against 模板消息 → 我的模板.`,
      );
    case 47003:
    case 47001:
      return permanent(
        "WeChat rejected the template data (errmsg names the field); check the message's wechat data in patron.yaml against the template's fields.",
      );
    case 40165:
      return permanent("The mini program page path does not exist in the mini program; check the message's miniprogram pagePath.");
    case 45009: {
      const until = nextMidnight(context.now, context.quotaTimezone);
      return result({
        ok: false,
        kind: "temporary",
        code,
        message: `${WHAT}: ${said}. The account's daily template-message quota is spent; WeChat sending is paused until ${formatWallClock(until, context.quotaTimezone)} ${context.quotaTimezone}, when it resets, and queued messages wait. The quota grows with the number of followers.`,
        pauseChannelUntil: until,
      });
    }
    case 45066:
      return result({
        ok: false,
        kind: "temporary",
        code,
        message: `${WHAT}: ${said}. A repeat came too soon; it will be retried in a minute.`,
        retryAfterMs: 60_000,
      });
    case -1:
      return result({ ok: false, kind: "temporary", code, message: `${WHAT}: ${said}. WeChat is busy; it will be retried.` });
    case 48001:
    case 40164:
    case 50002:
      return result({
        ok: false,
        kind: "temporary",
        code,
        message: `${WHAT}: ${said}. ${accountAdvice(answer.errcode)} WeChat sending is paused for ${CONFIG_PAUSE_MS / 60_000} minutes; queued messages stay queued.`,
        pauseChannelUntil: context.now + CONFIG_PAUSE_MS,
      });
  }
  if (TOKEN_REJECTED.has(answer.errcode)) {
    return {
      kind: "token-rejected",
      failure: {
        ok: false,
        kind: "temporary",
        code,
        message: `${WHAT}: ${said}. WeChat refused a freshly fetched access token too; it will be retried. If it persists, another system may be force-refreshing this account's token, or the AppSecret was reset.`,
      },
    };
  }
  return result({ ok: false, kind: "temporary", code, message: `${WHAT}: ${said}. An errcode Patron does not know; it will be retried.` });
}

function accountAdvice(errcode: number): string {
  switch (errcode) {
    case 48001:
      return "The account may not send template messages: that needs a verified service account with the 模板消息 feature enabled.";
    case 40164:
      return "Add this server's public IP address to the account's IP whitelist (设置与开发 → 基本配置 → IP白名单).";
    default:
      return "The account is restricted by WeChat; see the notices in the Official Accounts Platform.";
  }
}

function result(r: SendResult): SendAnswer {
  return { kind: "result", result: r };
}
