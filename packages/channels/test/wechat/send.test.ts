import { describe, expect, it } from "vitest";
import { wechatSetup, pointsMessage } from "./harness.js";
import { clientMsgIdOf } from "../../src/wechat/template-request.js";

describe("the WeChat channel sends template messages", () => {
  it("posts the template message WeChat expects and reports its msgid, all 64 bits of it", async () => {
    const { fake, channel } = await wechatSetup();
    const message = pointsMessage(1, { url: "https://lumiere.example/m/points" });
    const result = await channel.send(message);

    expect(fake.messages).toHaveLength(1);
    const received = fake.messages[0];
    expect(received).toEqual({
      touser: "oOpenId-member-1",
      template_id: "Ab3dEfGh-points-expiry",
      url: "https://lumiere.example/m/points",
      data: { first: { value: "会员1，您的积分即将到期" }, keyword1: { value: "1,200" }, keyword2: { value: "2026-12-31" } },
      client_msg_id: clientMsgIdOf(message.key),
      msgid: "3147483648000000001",
      receivedAt: Date.parse("2026-11-22T02:00:00Z"),
    });
    expect(result).toEqual({ ok: true, providerId: "3147483648000000001" });
  });

  it("sends a mini program link as appid and pagepath", async () => {
    const { fake, channel } = await wechatSetup();
    await channel.send(pointsMessage(2, { miniprogram: { appId: "wxMiniApp0001", pagePath: "pages/points/index?from=patron" } }));
    expect(fake.messages[0]?.miniprogram).toEqual({ appid: "wxMiniApp0001", pagepath: "pages/points/index?from=patron" });
    expect(fake.messages[0]?.url).toBeUndefined();
  });

  it("describes itself to the dispatcher", async () => {
    const { channel } = await wechatSetup({ channel: { concurrency: 4, ratePerSecond: 20 } });
    expect(channel).toMatchObject({
      name: "wechat",
      provider: "wechat-official-account",
      concurrency: 4,
      ratePerSecond: 20,
      idempotent: true,
    });
  });

  it("refuses a message meant for another channel, permanently", async () => {
    const { fake, channel } = await wechatSetup();
    const result = await channel.send({ channel: "sms", key: "k", to: "+8613800000001", body: "x" });
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "wrong-channel" });
    expect(fake.tokenFetches).toBe(0);
  });
});

describe("what WeChat refuses for good is a permanent failure", () => {
  it("43004: the member does not follow the account", async () => {
    const { fake, channel } = await wechatSetup({ fake: { followers: ["oOpenId-member-1"] } });
    expect(await channel.send(pointsMessage(1))).toMatchObject({ ok: true });
    const result = await channel.send(pointsMessage(2));
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "43004" });
    expect(result.ok === false && result.message).toMatch(/require subscribe.*does not follow the official account/);
    expect(fake.messages.map((m) => m.touser)).toEqual(["oOpenId-member-1"]);
  });

  it("40037: the template id is not one of the account's templates", async () => {
    const { channel } = await wechatSetup({ fake: { templates: ["Ab3dEfGh-points-expiry"] } });
    const result = await channel.send(pointsMessage(1, { templateId: "no-such-template" }));
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "40037" });
    expect(result.ok === false && result.message).toMatch(/invalid template_id.*templateId in patron.yaml/);
  });

  it.each([
    [40003, /invalid openid.*wechat_openid/],
    [47003, /argument invalid!.*template data/],
  ] as const)("%s", async (errcode, says) => {
    const { fake, channel } = await wechatSetup();
    fake.failNext({ errcode });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: String(errcode) });
    expect(result.ok === false && result.message).toMatch(says);
    expect(fake.messages).toHaveLength(0);
  });
});

describe("what may pass is a temporary failure, retried by the dispatcher", () => {
  it.each([
    ["-1 (system busy)", { errcode: -1 }, "-1", /system error.*busy/],
    ["HTTP 500", { status: 500 }, "http-500", /HTTP 500.*retried/],
    ["HTTP 503", { status: 503 }, "http-503", /HTTP 503.*retried/],
    ["a connection reset", { kind: "reset" }, "ECONNRESET", /connection failed/],
    ["a reset after WeChat accepted it", { kind: "accept-then-reset" }, "ECONNRESET", /connection failed/],
  ] as const)("%s", async (_name, fault, code, says) => {
    const { fake, channel } = await wechatSetup();
    fake.failNext(fault);
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code });
    expect(result.ok === false && result.message).toMatch(says);
    expect(result.ok === false && result.pauseChannelUntil).toBeUndefined();
    // And the next attempt goes through.
    expect(await channel.send(pointsMessage(1))).toMatchObject({ ok: true });
  });

  it("a timeout: WeChat does not answer within timeoutMs", async () => {
    const { fake, channel } = await wechatSetup({ channel: { timeoutMs: 250 } });
    await channel.send(pointsMessage(0)); // fetches the token, so only the send can time out
    fake.failNext({ kind: "timeout" });
    const started = Date.now();
    const result = await channel.send(pointsMessage(1));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "timeout" });
    expect(result.ok === false && result.message).toMatch(/did not answer in time/);
  });

  it("45009: the daily quota is spent, so the channel pauses until the next midnight in Beijing", async () => {
    // 23:30 in Beijing (UTC+8): the quota resets in half an hour.
    const { fake, channel, clock } = await wechatSetup();
    clock.advance(Date.parse("2026-11-22T15:30:00Z") - clock.now());
    fake.failNext({ errcode: 45009 });
    const late = await channel.send(pointsMessage(1));
    expect(late).toMatchObject({ ok: false, kind: "temporary", code: "45009", pauseChannelUntil: Date.parse("2026-11-22T16:00:00Z") });
    expect(late.ok === false && late.message).toMatch(/daily template-message quota.*paused until 2026-11-23 00:00 Asia\/Shanghai/);

    // 01:00 the next day in Beijing, still the 22nd in UTC: the pause runs to the following midnight.
    clock.advance(Date.parse("2026-11-22T17:00:00Z") - clock.now());
    fake.failNext({ errcode: 45009 });
    expect(await channel.send(pointsMessage(2))).toMatchObject({ pauseChannelUntil: Date.parse("2026-11-23T16:00:00Z") });
  });

  it("45009 follows quotaTimezone when it is set", async () => {
    const { fake, channel } = await wechatSetup({ channel: { quotaTimezone: "UTC" } });
    fake.failNext({ errcode: 45009 });
    expect(await channel.send(pointsMessage(1))).toMatchObject({ pauseChannelUntil: Date.parse("2026-11-23T00:00:00Z") });
  });

  it("48001: the account may not send template messages; the channel pauses a few minutes instead of failing every message", async () => {
    const { fake, channel, clock } = await wechatSetup();
    fake.failNext({ errcode: 48001 });
    const result = await channel.send(pointsMessage(1));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "48001", pauseChannelUntil: clock.now() + 5 * 60_000 });
    expect(result.ok === false && result.message).toMatch(/api unauthorized.*verified service account/);
  });
});

describe("options are checked when the channel is made", () => {
  it.each([
    [{ appId: "" }, /appId is empty; set channels.wechat.appId/],
    [{ appSecret: " " }, /appSecret is empty/],
    [{ baseUrl: "api.weixin.qq.com" }, /baseUrl "api.weixin.qq.com" is not a URL/],
    [{ baseUrl: "ftp://api.weixin.qq.com" }, /must be an http\(s\) URL/],
    [{ concurrency: 0 }, /concurrency must be a whole number of at least 1/],
    [{ timeoutMs: -1 }, /timeoutMs must be a positive number/],
    [{ quotaTimezone: "Asia/Beijing" }, /quotaTimezone "Asia\/Beijing" is not a time zone/],
  ])("%o", async (bad, says) => {
    const { wechatChannel } = await import("../../src/wechat/wechat-channel.js");
    expect(() => wechatChannel({ appId: "wx1", appSecret: "secret", ...bad })).toThrow(says);
  });
});
