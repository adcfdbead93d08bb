import { createHmac, timingSafeEqual } from "node:crypto";
import type { ChannelName } from "@patron/channels";

/*
 * One-click unsubscribe links (RFC 8058): the link names the member and the channel and carries
 * an HMAC-SHA256 of both under the business's signing secret, so `patron serve` can honour a POST
 * to it without a login and nobody can unsubscribe someone else by editing the link.
 */

export function unsubscribeToken(secret: string, memberId: string, channel: ChannelName): string {
  return createHmac("sha256", secret).update(`${channel}\u0000${memberId}`).digest("base64url").slice(0, 32);
}

export function verifyUnsubscribeToken(secret: string, memberId: string, channel: ChannelName, token: string): boolean {
  const expected = Buffer.from(unsubscribeToken(secret, memberId, channel));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** base?m=MEMBER&c=CHANNEL&t=TOKEN (base may already have a query). */
export function unsubscribeUrl(base: string, secret: string, memberId: string, channel: ChannelName): string {
  const url = new URL(base);
  url.searchParams.set("m", memberId);
  url.searchParams.set("c", channel);
  url.searchParams.set("t", unsubscribeToken(secret, memberId, channel));
  return url.toString();
}
