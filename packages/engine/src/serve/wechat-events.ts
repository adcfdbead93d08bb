import type { OptOutEvent } from "../consent/opt-outs.js";
import { maskAddress } from "../plan/dry-run.js";
import type { Db } from "../store/store.js";
import { matchReply, type ReplyKeywords } from "./keywords.js";
import { membersWithOpenid } from "./members-by-address.js";
import { applyOptOut } from "./opt-out-change.js";
import { textResponse, type WebhookResponse } from "./response.js";
import { wechatSignatureProblem, type WechatSignedQuery } from "./wechat-signature.js";
import { parseWechatXml } from "./wechat-xml.js";

export interface WechatSettings {
  /** The Token of the official account's server configuration. */
  readonly token: string;
  readonly keywords: ReplyKeywords;
  readonly now?: () => number;
}

/** The provider name the WeChat channel writes on the outbox rows it sent. */
export const WECHAT_PROVIDER = "wechat-official-account";

const UNFOLLOWED = "wechat unsubscribe event";

/** WeChat's answer to a push it should not repeat. */
const SUCCESS = "success";

/**
 * GET /wechat: WeChat checks the server URL when it is configured, and trusts it when the
 * signed request gets its echostr back.
 */
export function handleWechatVerify(query: WechatSignedQuery & { readonly echostr?: string }, settings: WechatSettings): WebhookResponse {
  const problem = wechatSignatureProblem(query, settings.token);
  if (problem) return textResponse(403, `${problem}\n`, { result: "rejected", reason: problem });
  if (!query.echostr) return textResponse(400, "echostr is required\n", { result: "malformed", reason: "no echostr" });
  return textResponse(200, query.echostr, { result: "verified" });
}

/**
 * POST /wechat: an event push, signed in the query, the XML in the body (plaintext or
 * compatible mode; the encrypted-only mode is refused). Patron acts on:
 * - TEMPLATESENDJOBFINISH: the result of a template message lands on the outbox row WeChat
 *   accepted under that MsgID: "success" → delivered; "failed:user block" (the member refuses the
 *   account's messages) → undelivered and a WeChat opt-out; other failures → undelivered.
 * - unsubscribe (the member unfollowed the account) → a WeChat opt-out; subscribe (followed
 *   again) lifts that opt-out, and only that one: an opt-out the member asked for otherwise (a
 *   keyword, an unsubscribe link, refusing the account's messages) stays.
 * - a text message that is an opt-out or opt-in keyword, as an SMS reply would be.
 * Anything else is acknowledged and changes nothing.
 */
export function handleWechatEvent(
  db: Db,
  request: WechatSignedQuery & { readonly xml: string },
  settings: WechatSettings,
): WebhookResponse {
  const problem = wechatSignatureProblem(request, settings.token);
  if (problem) return textResponse(403, `${problem}\n`, { result: "rejected", reason: problem });

  const parsed = parseWechatXml(request.xml);
  if ("error" in parsed) return malformed(parsed.error);
  const f = parsed.fields;
  if (f["MsgType"] === undefined) {
    return malformed(
      f["Encrypt"] !== undefined
        ? "the push is encrypted: set the account's message encryption to plaintext (明文模式) or compatible (兼容模式) mode"
        : "MsgType is missing",
    );
  }
  const openid = f["FromUserName"];
  if (!openid) return malformed("FromUserName is missing");
  const now = (settings.now ?? Date.now)();
  const event = f["MsgType"] === "event" ? f["Event"] : undefined;

  if (event === "TEMPLATESENDJOBFINISH") {
    const msgid = f["MsgID"] ?? f["MsgId"];
    const status = f["Status"];
    if (msgid === undefined || !/^\d{1,20}$/.test(msgid)) return malformed("MsgID is missing or not a number");
    if (status === undefined || status === "") return malformed("Status is missing");
    return templateResult(db, msgid, status, now);
  }
  if (event === "unsubscribe") {
    return optOutAll(db, openid, { action: "opt-out", source: "provider", detail: UNFOLLOWED, at: now }, { wechatEvent: event });
  }
  if (event === "subscribe") {
    const detail = "wechat subscribe event";
    return optOutAll(db, openid, { action: "opt-in", source: "provider", detail, at: now }, { wechatEvent: event }, (memberId) =>
      lastOptOutWas(db, memberId, UNFOLLOWED),
    );
  }
  if (f["MsgType"] === "text") {
    const match = matchReply(f["Content"] ?? "", settings.keywords);
    if (match) {
      const detail = `replied ${match.keyword}`;
      return optOutAll(db, openid, { action: match.action, source: "inbound", detail, at: now }, { keyword: match.keyword });
    }
  }
  return textResponse(200, SUCCESS, { result: "ignored", msgType: f["MsgType"], ...(event === undefined ? {} : { wechatEvent: event }) });
}

function templateResult(db: Db, msgid: string, status: string, now: number): WebhookResponse {
  return db
    .transaction((): WebhookResponse => {
      const row = db
        .prepare("SELECT id, member_id, address, delivery, error_code FROM outbox WHERE provider = ? AND provider_id = ?")
        .get(WECHAT_PROVIDER, msgid) as
        { id: number; member_id: string; address: string | null; delivery: string | null; error_code: string | null } | undefined;
      if (!row) return textResponse(200, SUCCESS, { result: "unknown message", msgid, wechatStatus: status });
      const delivered = status === "success";
      const delivery = delivered ? "delivered" : "undelivered";
      const code = delivered ? null : status;
      const updated = row.delivery !== delivery || (code !== null && row.error_code !== code);
      if (updated)
        db.prepare("UPDATE outbox SET delivery = ?, error_code = coalesce(?, error_code) WHERE id = ?").run(delivery, code, row.id);
      // The member set the account to "refuse messages": as good as unfollowing, for sending purposes.
      const optedOut =
        status.replace(/\s+/g, "") === "failed:userblock" &&
        applyOptOut(db, {
          memberId: row.member_id,
          channel: "wechat",
          ...(row.address === null ? {} : { address: row.address }),
          action: "opt-out",
          source: "provider",
          detail: `wechat ${status}`,
          at: now,
        });
      return textResponse(200, SUCCESS, {
        result: updated ? "updated" : "unchanged",
        outboxId: row.id,
        member: row.member_id,
        delivery,
        wechatStatus: status,
        ...(optedOut ? { optOut: "wechat" } : {}),
      });
    })
    .immediate(); // reads, then writes: IMMEDIATE so a concurrent writer makes it wait, not fail
}

function optOutAll(
  db: Db,
  openid: string,
  event: Pick<OptOutEvent, "action" | "source" | "detail" | "at">,
  log: Readonly<Record<string, unknown>>,
  applies: (memberId: string) => boolean = () => true,
): WebhookResponse {
  return db
    .transaction((): WebhookResponse => {
      const members = membersWithOpenid(db, openid);
      const base = { ...event, channel: "wechat" as const, address: openid };
      const masked = maskAddress("wechat", openid);
      if (members.length === 0) {
        applyOptOut(db, { ...base, memberId: null });
        return textResponse(200, SUCCESS, { result: event.action, ...log, openid: masked, members: "unknown" });
      }
      const changed = members.filter((memberId) => applies(memberId) && applyOptOut(db, { ...base, memberId }));
      return textResponse(200, SUCCESS, { result: event.action, ...log, openid: masked, members, changed: changed.length });
    })
    .immediate(); // reads, then writes: IMMEDIATE so a concurrent writer makes it wait, not fail
}

/** Whether the member's latest WeChat opt-out is the one with this detail. */
function lastOptOutWas(db: Db, memberId: string, detail: string): boolean {
  const last = db
    .prepare(
      "SELECT detail FROM opt_outs WHERE member_id = ? AND channel = 'wechat' AND action = 'opt-out' ORDER BY at DESC, id DESC LIMIT 1",
    )
    .pluck()
    .get(memberId) as string | null | undefined;
  return last === detail;
}

function malformed(reason: string): WebhookResponse {
  return textResponse(400, `${reason}\n`, { result: "malformed", reason });
}
