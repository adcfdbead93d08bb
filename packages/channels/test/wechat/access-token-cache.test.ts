import { describe, expect, it } from "vitest";
import { AccessTokenCache } from "../../src/wechat/access-token-cache.js";
import type { FetchedToken } from "../../src/wechat/token-endpoint.js";

/** A token endpoint the test answers by hand: each fetch waits until `issue` or `refuse`. */
function manualEndpoint() {
  const pending: ((fetched: FetchedToken) => void)[] = [];
  let issued = 0;
  return {
    fetch: () => new Promise<FetchedToken>((resolve) => pending.push(resolve)),
    get fetches() {
      return issued + pending.length;
    },
    issue(expiresInMs = 7_200_000) {
      const resolve = pending.shift();
      if (!resolve) throw new Error("no token fetch is waiting");
      issued++;
      resolve({ ok: true, token: `T${issued}`, expiresInMs });
    },
    refuse() {
      const resolve = pending.shift();
      if (!resolve) throw new Error("no token fetch is waiting");
      issued++;
      resolve({ ok: false, failure: { ok: false, kind: "temporary", code: "token:-1", message: "busy" } });
    },
  };
}

describe("the access token cache", () => {
  it("joins everyone who asks while a fetch is under way to that fetch", async () => {
    const endpoint = manualEndpoint();
    const cache = new AccessTokenCache(endpoint.fetch, () => 0);
    const waiting = Array.from({ length: 10 }, () => cache.get());
    expect(endpoint.fetches).toBe(1);
    endpoint.issue();
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 10 }, () => ({ ok: true, token: "T1" })));
  });

  it("refreshes after a rejection once; a late rejection of the old token takes the new one", async () => {
    const endpoint = manualEndpoint();
    const cache = new AccessTokenCache(endpoint.fetch, () => 0);
    const first = cache.get();
    endpoint.issue();
    expect(await first).toEqual({ ok: true, token: "T1" });

    // Several sends rejected with T1 while the refresh runs: one fetch between them.
    const replacing = [cache.replace("T1"), cache.replace("T1"), cache.replace("T1")];
    expect(endpoint.fetches).toBe(2);
    endpoint.issue();
    expect((await Promise.all(replacing)).map((r) => r.ok && r.token)).toEqual(["T2", "T2", "T2"]);

    // A send that set out with T1 before the refresh, rejected after it: T2, no fetch.
    expect(await cache.replace("T1")).toEqual({ ok: true, token: "T2" });
    expect(endpoint.fetches).toBe(2);

    // T2 rejected in turn: a new fetch.
    const third = cache.replace("T2");
    expect(endpoint.fetches).toBe(3);
    endpoint.issue();
    expect(await third).toEqual({ ok: true, token: "T3" });
  });

  it("refreshes 5 minutes before expiry, and does not keep a failure", async () => {
    const endpoint = manualEndpoint();
    let now = 0;
    const cache = new AccessTokenCache(endpoint.fetch, () => now);
    const first = cache.get();
    endpoint.issue(7_200_000);
    await first;
    now = 7_200_000 - 300_001;
    expect(await cache.get()).toEqual({ ok: true, token: "T1" });
    now += 1;
    const second = cache.get();
    expect(endpoint.fetches).toBe(2);
    endpoint.refuse();
    expect(await second).toMatchObject({ ok: false, failure: { code: "token:-1" } });
    const third = cache.get();
    expect(endpoint.fetches).toBe(3);
    endpoint.issue();
    expect(await third).toEqual({ ok: true, token: "T3" });
  });
});
