/** Access tokens remembered for redaction; older ones expired long ago (each lives two hours). */
const TOKENS_KEPT = 8;

/**
 * Keeps the AppSecret and the access tokens this channel has held out of the texts it hands back:
 * failure messages are stored in the outbox and shown in reports, and an answer from a
 * misconfigured server can echo the request URL, whose query string carries the secret (classic
 * token endpoint) or the token (every API call). Each value is also matched URL-encoded.
 */
export class Redactor {
  readonly #secrets: string[] = [];
  readonly #tokens: string[] = [];

  addSecret(secret: string): void {
    if (secret !== "") this.#secrets.push(secret);
  }

  addToken(token: string): void {
    if (token === "" || this.#tokens.includes(token)) return;
    this.#tokens.push(token);
    if (this.#tokens.length > TOKENS_KEPT) this.#tokens.shift();
  }

  redact(text: string): string {
    const forms = [...this.#secrets, ...this.#tokens].flatMap((s) => [
      s,
      encodeURIComponent(s),
      new URLSearchParams({ s }).toString().slice(2),
    ]);
    // Longest first, so a value that contains another is replaced whole.
    let result = text;
    for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) result = result.split(form).join("[redacted]");
    return result;
  }
}
