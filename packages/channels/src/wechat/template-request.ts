import { createHash } from "node:crypto";
import type { OutgoingMessage } from "../contract/channel.js";

export type WechatMessage = Extract<OutgoingMessage, { channel: "wechat" }>;

/** The JSON body of POST /cgi-bin/message/template/send. */
export interface TemplateSendBody {
  readonly touser: string;
  readonly template_id: string;
  readonly url?: string;
  readonly miniprogram?: { readonly appid: string; readonly pagepath: string };
  readonly data: Readonly<Record<string, { readonly value: string }>>;
  readonly client_msg_id: string;
}

/**
 * WeChat sends one message per (openid, client_msg_id) and drops repeats — for 10 minutes; after
 * that WeChat promises nothing. So a send whose outcome is unknown may be sent again safely
 * within this window of the first attempt, and not reliably after it.
 */
export const WECHAT_DEDUP_WINDOW_MS = 10 * 60_000;

/**
 * The de-duplication id of a message: a digest of its idempotency key, so it is the same on every
 * attempt, fixed in length (WeChat caps these ids; the mass-send API at 64 bytes) and made only of
 * characters any API accepts, whatever the key looks like.
 */
export function clientMsgIdOf(key: string): string {
  return `p${createHash("sha256").update(key, "utf8").digest("hex").slice(0, 40)}`;
}

export function templateSendBody(message: WechatMessage): TemplateSendBody {
  const data: Record<string, { value: string }> = {};
  for (const [field, value] of Object.entries(message.data)) data[field] = { value };
  return {
    touser: message.to,
    template_id: message.templateId,
    // WeChat opens the mini program when both are set, and falls back to the url on clients too old for it.
    ...(message.url !== undefined ? { url: message.url } : {}),
    ...(message.miniprogram !== undefined
      ? { miniprogram: { appid: message.miniprogram.appId, pagepath: message.miniprogram.pagePath } }
      : {}),
    data,
    client_msg_id: clientMsgIdOf(message.key),
  };
}
