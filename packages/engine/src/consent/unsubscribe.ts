import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import type { ChannelName } from "@patron/channels";

/*
 * One-click unsubscribe links (RFC 8058): the link names the member and the channel and carries
 * an HMAC-SHA256 of both under the business's signing secret, so `patron serve` can honour a POST
 * to it without a login and nobody can unsubscribe someone else by editing the link.
 */

export function unsubscribeToken(secret: string | KeyObject, memberId: string, channel: ChannelName): string {
  return createHmac("sha256", secret).update(`${channel}\u0000${memberId}`).digest("base64url").slice(0, 32);
}

export function verifyUnsubscribeToken(secret: string, memberId: string, channel: ChannelName, token: string): boolean {
  const expected = Buffer.from(unsubscribeToken(secret, memberId, channel));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** base?m=MEMBER&c=CHANNEL&t=TOKEN (base may already have a query). */
export function unsubscribeUrl(base: string, secret: string, memberId: string, channel: ChannelName): string {
  return unsubscribeLinks(base, secret)(memberId, channel);
}

/**
 * The link maker of a run: the base address is parsed once, not once per e-mail (a million
 * members meant a million URL parses). A base with a fragment, or already carrying m, c or t, is
 * rare enough to go through URL for every link.
 */
export function unsubscribeLinks(base: string, secret: string): (memberId: string, channel: ChannelName) => string {
  const key = createSecretKey(Buffer.from(secret, "utf8")); // imported once, not once per link
  const url = new URL(base);
  const slow = url.hash !== "" || ["m", "c", "t"].some((name) => url.searchParams.has(name));
  if (slow) {
    return (memberId, channel) => {
      const link = new URL(base);
      link.searchParams.set("m", memberId);
      link.searchParams.set("c", channel);
      link.searchParams.set("t", unsubscribeToken(key, memberId, channel));
      return link.toString();
    };
  }
  // What searchParams.set gives: the base's query re-serialized, the new pairs appended.
  const query = url.searchParams.toString();
  url.search = "";
  const prefix = `${url.toString()}?${query === "" ? "" : `${query}&`}`;
  return (memberId, channel) =>
    `${prefix}${new URLSearchParams([
      ["m", memberId],
      ["c", channel],
      ["t", unsubscribeToken(key, memberId, channel)],
    ]).toString()}`;
}
