import { describe, expect, it } from "vitest";
import { clientMsgIdOf, WECHAT_DEDUP_WINDOW_MS } from "../../src/wechat/template-request.js";
import { readSendAnswer } from "../../src/wechat/send-answer.js";
import { pointsMessage, wechatSetup } from "./harness.js";

describe("client_msg_id: WeChat drops a repeat of the same message", () => {
  it("is derived from the message key: the same on every attempt, different per key, short and plain", () => {
    const key = "points-expiry:2026-11-22:m1";
    expect(clientMsgIdOf(key)).toBe(clientMsgIdOf(key));
    expect(clientMsgIdOf(key)).not.toBe(clientMsgIdOf("points-expiry:2026-11-22:m2"));
    expect(clientMsgIdOf(`${"很长的键".repeat(100)}`)).toMatch(/^p[0-9a-f]{40}$/);
  });

  it("a send accepted but never answered (connection reset), sent again, reaches the member once", async () => {
    const { fake, channel } = await wechatSetup();
    fake.failNext({ kind: "accept-then-reset" });
    const lost = await channel.send(pointsMessage(1));
    expect(lost).toMatchObject({ ok: false, kind: "temporary", code: "ECONNRESET" });
    expect(fake.messages).toHaveLength(1);

    const again = await channel.send(pointsMessage(1));
    expect(again).toEqual({ ok: true, providerId: fake.messages[0]?.msgid });
    expect(fake.messages).toHaveLength(1);
    expect(fake.sendRequests).toBe(2);
  });

  it("only within WeChat's 10-minute window: a repeat after it is delivered again", async () => {
    const { fake, channel, clock } = await wechatSetup();
    await channel.send(pointsMessage(1));
    clock.advance(WECHAT_DEDUP_WINDOW_MS - 1_000);
    await channel.send(pointsMessage(1));
    expect(fake.messages).toHaveLength(1);
    clock.advance(2_000);
    await channel.send(pointsMessage(1));
    expect(fake.messages).toHaveLength(2);
  });

  it("the same key to another member is another message", async () => {
    const { fake, channel } = await wechatSetup();
    await channel.send(pointsMessage(1));
    await channel.send(pointsMessage(1, { to: "oOpenId-someone-else" }));
    expect(fake.messages).toHaveLength(2);
  });

  it("a repeat WeChat answers with 45065 and the first msg_id (as its mass-send API does) counts as sent", () => {
    const answer = readSendAnswer(
      { kind: "response", status: 200, text: '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147494441000000001}' },
      { now: 0, quotaTimezone: "Asia/Shanghai", clientMsgId: "p0" },
    );
    expect(answer).toEqual({ kind: "result", result: { ok: true, providerId: "3147494441000000001" } });
  });
});
