import { createHash, timingSafeEqual } from "node:crypto";

/** The query parameters WeChat signs every request to the server URL with. */
export interface WechatSignedQuery {
  readonly signature?: string;
  readonly timestamp?: string;
  readonly nonce?: string;
}

/** WeChat's signature: SHA-1 (hex) of the token, timestamp and nonce, sorted and joined. */
export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
}

/**
 * Why the request is not WeChat's, or undefined when its signature is right under the server
 * token (the Token of the official account's server configuration).
 */
export function wechatSignatureProblem(query: WechatSignedQuery, token: string): string | undefined {
  const { signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce) return "signature, timestamp and nonce are required query parameters";
  const expected = Buffer.from(wechatSignature(token, timestamp, nonce));
  const given = Buffer.from(signature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : "signature does not match";
}
