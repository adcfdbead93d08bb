/**
 * What a webhook handler answers: the HTTP status, the body the caller gets, and what the server
 * logs about it. Handlers are plain functions (parsed request + database in, this out), so every
 * decision they make is tested without a socket; `patron serve` only writes these to the wire.
 */
export interface WebhookResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /**
   * For the server's JSON log line: what happened. Addresses are masked; tokens and signatures
   * never appear; the server's own fields (method, path, status, ms) win over same-named ones.
   */
  readonly log: Readonly<Record<string, unknown>>;
}

export const TEXT = "text/plain; charset=utf-8";
export const XML = "text/xml; charset=utf-8";
export const HTML = "text/html; charset=utf-8";

export function textResponse(status: number, body: string, log: Readonly<Record<string, unknown>>): WebhookResponse {
  return { status, contentType: TEXT, body, log };
}
