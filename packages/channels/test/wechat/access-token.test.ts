import { describe, expect, it } from "vitest";
import { pointsMessage, testClock, wechatSetup } from "./harness.js";

const many = (count: number, from = 1) => Array.from({ length: count }, (_, i) => pointsMessage(from + i));

describe("the access token is fetched once and shared", () => {
  it("50 sends starting at once with no token cause exactly one token request", async () => {
    const { fake, channel } = await wechatSetup({ channel: { concurrency: 50 } });
    const results = await Promise.all(many(50).map((m) => channel.send(m)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.tokenFetches).toBe(1);
    expect(fake.messages).toHaveLength(50);
  });

  it("is kept between sends while it is valid", async () => {
    const { fake, channel, clock } = await wechatSetup();
    for (const message of many(5)) {
      expect(await channel.send(message)).toMatchObject({ ok: true });
      clock.advance(60_000);
    }
    expect(fake.tokenFetches).toBe(1);
  });

  it("is replaced shortly before expires_in runs out, not after", async () => {
    const { fake, channel, clock } = await wechatSetup();
    await channel.send(pointsMessage(1));
    // 7200 s issued; 1200 s left: still used.
    clock.advance(6_000_000);
    await channel.send(pointsMessage(2));
    expect(fake.tokenFetches).toBe(1);
    // 200 s left, less than the 5 minutes of margin: a new token before WeChat would refuse this one.
    clock.advance(1_000_000);
    expect(await channel.send(pointsMessage(3))).toMatchObject({ ok: true });
    expect(fake.tokenFetches).toBe(2);
    expect(fake.issuedTokens).toHaveLength(2);
  });

  it("a short-lived token is used for at least half its life", async () => {
    const { fake, channel, clock } = await wechatSetup({ fake: { expiresIn: 60 } });
    await channel.send(pointsMessage(1));
    clock.advance(29_000);
    await channel.send(pointsMessage(2));
    expect(fake.tokenFetches).toBe(1);
    clock.advance(2_000);
    await channel.send(pointsMessage(3));
    expect(fake.tokenFetches).toBe(2);
  });

  it("the classic endpoint (GET /cgi-bin/token) works the same way", async () => {
    const { fake, channel, clock } = await wechatSetup({ channel: { tokenEndpoint: "classic", concurrency: 20 } });
    const results = await Promise.all(many(20).map((m) => channel.send(m)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.tokenFetches).toBe(1);
    clock.advance(7_000_000);
    await channel.send(pointsMessage(99));
    expect(fake.tokenFetches).toBe(2);
  });
});

describe("a token WeChat rejects is replaced once, and the send retried", () => {
  it("40001 mid-run: exactly one refresh for a burst of rejected sends, and every send succeeds", async () => {
    const { fake, channel } = await wechatSetup({ channel: { concurrency: 50 } });
    await Promise.all(many(5).map((m) => channel.send(m)));
    fake.invalidateTokens();
    const results = await Promise.all(many(50, 100).map((m) => channel.send(m)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(fake.tokenFetches).toBe(2);
    expect(fake.messages).toHaveLength(55);
  });

  it("42001 (expired early) likewise", async () => {
    const { fake, channel } = await wechatSetup({ channel: { concurrency: 30 } });
    await channel.send(pointsMessage(1));
    fake.expireTokens();
    const results = await Promise.all(many(30, 100).map((m) => channel.send(m)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(fake.tokenFetches).toBe(2);
  });

  it("a token refused even after a refresh is a temporary failure, and only one refresh", async () => {
    const { fake, channel } = await wechatSetup();
    fake.failNext({ errcode: 40001 }, 2);
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "40001" });
    expect(result.ok === false && result.message).toMatch(/refused a freshly fetched access token/);
    expect(fake.tokenFetches).toBe(2);
    expect(fake.sendRequests).toBe(2);
  });

  it("40014 (malformed token) also triggers the refresh", async () => {
    const { fake, channel } = await wechatSetup();
    fake.failNext({ errcode: 40014 });
    expect(await channel.send(pointsMessage(1))).toMatchObject({ ok: true });
    expect(fake.sendRequests).toBe(2);
    expect(fake.tokenFetches).toBe(2);
  });
});

describe("a token request WeChat refuses pauses the channel instead of failing the outbox", () => {
  it("a wrong AppSecret: every send fails temporarily, with one token request, a pause and the setting to check", async () => {
    const clock = testClock();
    const { fake, channel } = await wechatSetup({
      clock,
      fake: { appSecret: "the-real-secret" },
      channel: { appSecret: "a-stale-secret", concurrency: 50 },
    });
    const results = await Promise.all(many(50).map((m) => channel.send(m)));
    expect(fake.tokenFetches).toBe(1);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, kind: "temporary", code: "token:40125", pauseChannelUntil: clock.now() + 5 * 60_000 });
    }
    expect(results[0]?.ok === false && results[0].message).toMatch(
      /invalid appsecret.*channels.wechat.appSecret in patron.yaml .*: it must be the account's current AppSecret/,
    );
    expect(fake.messages).toHaveLength(0);
  });

  it("a wrong AppID", async () => {
    const { channel } = await wechatSetup({ channel: { appId: "wx-not-this-account" } });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "token:40013" });
    expect(result.ok === false && result.message).toMatch(
      /invalid appid.*channels.wechat.appId in patron.yaml: it must be the official account's AppID/,
    );
  });

  it("a wrong secret on the classic endpoint (which answers 40001)", async () => {
    const { channel } = await wechatSetup({ channel: { tokenEndpoint: "classic", appSecret: "wrong" } });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "token:40001" });
    expect(result.ok === false && result.pauseChannelUntil).toBeGreaterThan(0);
  });

  it("a server IP not on the whitelist", async () => {
    const { fake, channel } = await wechatSetup();
    fake.failNextToken({ errcode: 40164 });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "token:40164" });
    expect(result.ok === false && result.message).toMatch(/IP whitelist/);
  });

  it("a busy or unreachable token endpoint is an ordinary temporary failure, and the next send fetches again", async () => {
    const { fake, channel } = await wechatSetup();
    fake.failNextToken({ errcode: -1 });
    fake.failNextToken({ status: 502 });
    const busy = await channel.send(pointsMessage(1));
    expect(busy).toMatchObject({ ok: false, kind: "temporary", code: "token:-1" });
    expect(busy.ok === false && busy.pauseChannelUntil).toBeUndefined();
    expect(await channel.send(pointsMessage(1))).toMatchObject({ ok: false, kind: "temporary", code: "token:http-502" });
    expect(await channel.send(pointsMessage(1))).toMatchObject({ ok: true });
    expect(fake.tokenFetches).toBe(3);
  });

  it("a baseUrl that is not the WeChat API (404) pauses the channel and names baseUrl", async () => {
    const { fake } = await wechatSetup();
    const wrong = await wechatSetup({ channel: { baseUrl: `${fake.baseUrl}/not-the-api` } });
    const result = await wrong.channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "token:http-404" });
    expect(result.ok === false && result.message).toMatch(/check channels.wechat.baseUrl in patron.yaml/);
    expect(result.ok === false && result.pauseChannelUntil).toBeGreaterThan(0);
  });
});
