import type { SendFailure } from "./failures.js";
import type { FetchedToken } from "./token-endpoint.js";

export type TokenOutcome = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly failure: SendFailure };

/** Refresh this long before WeChat's expires_in runs out; WeChat renews stable tokens in their last 5 minutes. */
const EARLY_REFRESH_MS = 5 * 60_000;

/**
 * The one access token all sends of a channel share.
 *
 * Fetches are single-flight: whoever needs a token while a fetch is under way waits for that
 * fetch, so 50 sends starting at once cause one token request. A token is replaced before
 * WeChat's expires_in runs out, and when WeChat rejects it (40001 / 42001 / 40014) — but a send
 * that was rejected with a token that has already been replaced takes the new one instead of
 * fetching yet another: a burst of rejections costs one refresh, not one per send.
 */
export class AccessTokenCache {
  #current: { readonly token: string; readonly refreshAt: number } | undefined;
  #inflight: Promise<TokenOutcome> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
  ) {}

  /** The current token, fetching one first when there is none or it is about to expire. */
  get(): Promise<TokenOutcome> {
    const current = this.#current;
    if (current && this.now() < current.refreshAt) return Promise.resolve({ ok: true, token: current.token });
    return this.#refresh();
  }

  /** WeChat rejected `rejected`: a fresh token, fetched only if no one has replaced it already. */
  replace(rejected: string): Promise<TokenOutcome> {
    if (this.#current?.token === rejected) this.#current = undefined;
    return this.get();
  }

  #refresh(): Promise<TokenOutcome> {
    this.#inflight ??= this.fetchToken()
      .then((fetched): TokenOutcome => {
        if (!fetched.ok) return fetched;
        // Keep at least half of a short lifetime, so a token issued near its end is not refetched at once.
        const early = Math.min(EARLY_REFRESH_MS, fetched.expiresInMs / 2);
        this.#current = { token: fetched.token, refreshAt: this.now() + fetched.expiresInMs - early };
        return { ok: true, token: fetched.token };
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }
}
