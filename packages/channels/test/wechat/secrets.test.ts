import { describe, expect, it } from "vitest";
import type { SendResult } from "../../src/contract/channel.js";
import { pointsMessage, wechatSetup } from "./harness.js";

// Not a real AppSecret's shape (32 hex digits): this one also tests the URL-encoded forms.
const SECRET = "S3cr3t +/=密钥-0123456789abcdef";

function expectNothingSecret(results: readonly SendResult[], secrets: readonly string[]): void {
  const text = JSON.stringify(results);
  for (const secret of secrets) {
    for (const form of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      expect(text).not.toContain(form);
    }
  }
}

describe("the AppSecret and access tokens never appear in results", () => {
  it("a server echoing the classic token URL (which carries the secret) in its error page", async () => {
    const { fake, channel } = await wechatSetup({ fake: { appSecret: SECRET }, channel: { appSecret: SECRET, tokenEndpoint: "classic" } });
    fake.failNextToken({ status: 404 });
    fake.failNextToken({ status: 500 });
    const results = [await channel.send(pointsMessage(1)), await channel.send(pointsMessage(2))];
    // The echo is there, so the redaction is what keeps the secret out.
    expect(results[0]).toMatchObject({ ok: false, code: "token:http-404" });
    expect(results[0]?.ok === false && results[0].message).toMatch(
      /GET \/cgi-bin\/token\?grant_type=client_credential&appid=wx0fake0app0id0001&secret=\[redacted\]/,
    );
    expect(results[1]?.ok === false && results[1].message).toContain("secret=[redacted]");
    expectNothingSecret(results, [SECRET]);
  });

  it("a server echoing the send URL (which carries the access token)", async () => {
    const { fake, channel } = await wechatSetup({ fake: { appSecret: SECRET }, channel: { appSecret: SECRET } });
    await channel.send(pointsMessage(1));
    fake.failNext({ status: 502 });
    fake.failNext({ status: 403 });
    const results = [await channel.send(pointsMessage(2)), await channel.send(pointsMessage(3))];
    expect(results[0]).toMatchObject({ ok: false, code: "http-502" });
    expect(results[0]?.ok === false && results[0].message).toContain("access_token=[redacted]");
    expect(results[1]?.ok === false && results[1].message).toContain("access_token=[redacted]");
    expect(fake.issuedTokens).toHaveLength(1);
    expectNothingSecret(results, [SECRET, ...fake.issuedTokens]);
  });

  it("every kind of failure, on both token endpoints", async () => {
    const results: SendResult[] = [];
    const tokens: string[] = [];
    for (const tokenEndpoint of ["stable", "classic"] as const) {
      const { fake, channel } = await wechatSetup({
        fake: { appSecret: SECRET },
        channel: { appSecret: SECRET, tokenEndpoint, timeoutMs: 200 },
      });
      fake.failNextToken({ errcode: 40125 });
      fake.failNextToken({ errcode: -1 });
      fake.failNextToken({ kind: "reset" });
      fake.failNextToken({ status: 503 });
      for (let i = 0; i < 4; i++) results.push(await channel.send(pointsMessage(i)));
      for (const fault of [
        { errcode: 43004 },
        { errcode: 45009 },
        { errcode: -1 },
        { status: 500 },
        { kind: "timeout" },
        { kind: "reset" },
      ] as const) {
        fake.failNext(fault);
        results.push(await channel.send(pointsMessage(10)));
      }
      fake.failNext({ errcode: 40001 }, 2);
      results.push(await channel.send(pointsMessage(11)));
      tokens.push(...fake.issuedTokens);
    }
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(tokens.length).toBeGreaterThan(0);
    expectNothingSecret(results, [SECRET, ...tokens]);
  });

  it("a wrong secret is not echoed back either", async () => {
    const { channel } = await wechatSetup({ channel: { appSecret: "the-wrong-secret", tokenEndpoint: "classic" } });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary" });
    expectNothingSecret([result], ["the-wrong-secret"]);
  });
});
