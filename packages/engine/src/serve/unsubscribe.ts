import type { ChannelName } from "@patron/channels";
import type { Region } from "@patron/config";
import { verifyUnsubscribeToken } from "../consent/unsubscribe.js";
import type { Db } from "../store/store.js";
import { applyOptOut } from "./opt-out-change.js";
import { HTML, type WebhookResponse } from "./response.js";
import { unsubscribePageHtml, type PageKind } from "./unsubscribe-page.js";

/** The query of an unsubscribe link: base?m=MEMBER&c=CHANNEL&t=TOKEN (see unsubscribeUrl). */
export interface UnsubscribeLink {
  readonly m?: string;
  readonly c?: string;
  readonly t?: string;
}

export interface UnsubscribeSettings {
  /** The secret the links were signed with (PATRON_SIGNING_SECRET). */
  readonly secret: string;
  readonly business: string;
  readonly region: Region;
  readonly now?: () => number;
}

const CHANNELS: readonly ChannelName[] = ["sms", "email", "wechat"];

type Checked = { readonly memberId: string; readonly channel: ChannelName } | { readonly response: WebhookResponse };

/** GET /unsubscribe: the confirmation page, with a button that POSTs the one-click body. Changes nothing. */
export function unsubscribePage(db: Db, link: UnsubscribeLink, settings: UnsubscribeSettings): WebhookResponse {
  const checked = checkLink(link, settings);
  if ("response" in checked) return checked.response;
  const already = optedOut(db, checked.memberId, checked.channel);
  return page(200, already ? "already" : "confirm", settings, checked.channel, {
    result: already ? "already unsubscribed" : "confirmation page",
    member: checked.memberId,
    channel: checked.channel,
  });
}

/**
 * POST /unsubscribe: RFC 8058 one-click unsubscribe. The link's token must be the member's and
 * channel's, and the body must say List-Unsubscribe=One-Click (what mail clients and the
 * confirmation page send); the member is then opted out of that channel.
 */
export function handleUnsubscribe(
  db: Db,
  request: UnsubscribeLink & { readonly oneClick: boolean },
  settings: UnsubscribeSettings,
): WebhookResponse {
  const checked = checkLink(request, settings);
  if ("response" in checked) return checked.response;
  if (!request.oneClick) {
    return page(400, "malformed", settings, checked.channel, { result: "malformed", reason: "the body is not List-Unsubscribe=One-Click" });
  }
  const recorded = applyOptOut(db, {
    memberId: checked.memberId,
    channel: checked.channel,
    action: "opt-out",
    source: "unsubscribe",
    detail: "one-click unsubscribe link",
    at: (settings.now ?? Date.now)(),
  });
  return page(200, "done", settings, checked.channel, {
    result: recorded ? "opt-out" : "already unsubscribed",
    member: checked.memberId,
    channel: checked.channel,
  });
}

/**
 * Whether a POST body is the one-click request of RFC 8058: the field List-Unsubscribe with the
 * value One-Click, form-encoded or as multipart/form-data (both are allowed).
 */
export function isOneClickBody(contentType: string | undefined, body: string): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return new URLSearchParams(body).getAll("List-Unsubscribe").includes("One-Click");
  if (type === "multipart/form-data") {
    const boundary = /;\s*boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1];
    if (boundary === undefined) return false;
    return body.split(`--${boundary}`).some((part) => {
      const split = part.indexOf("\r\n\r\n");
      if (split < 0) return false;
      const headers = part.slice(0, split);
      const value = part.slice(split + 4).replace(/\r\n$/, "");
      return /^content-disposition:\s*form-data;\s*name="List-Unsubscribe"\s*$/im.test(headers) && value === "One-Click";
    });
  }
  return false;
}

function checkLink(link: UnsubscribeLink, settings: UnsubscribeSettings): Checked {
  const { m, c, t } = link;
  if (!m || m.length > 256 || !t || t.length > 128 || !CHANNELS.includes(c as ChannelName)) {
    return {
      response: page(400, "malformed", settings, undefined, {
        result: "malformed",
        reason: "m, c (sms, email or wechat) and t are required",
      }),
    };
  }
  const channel = c as ChannelName;
  if (!verifyUnsubscribeToken(settings.secret, m, channel, t)) {
    return {
      response: page(403, "invalid", settings, channel, { result: "rejected", reason: "the token does not match", member: m, channel }),
    };
  }
  return { memberId: m, channel };
}

function optedOut(db: Db, memberId: string, channel: ChannelName): boolean {
  return db.prepare("SELECT 1 FROM opt_out_current WHERE member_id = ? AND channel = ?").get(memberId, channel) !== undefined;
}

function page(
  status: number,
  kind: PageKind,
  settings: UnsubscribeSettings,
  channel: ChannelName | undefined,
  log: Readonly<Record<string, unknown>>,
): WebhookResponse {
  return { status, contentType: HTML, body: unsubscribePageHtml(kind, settings.region, settings.business, channel), log };
}
