import { wechatChannel } from "@patron/channels";
import { beforeEach, describe, expect, it } from "vitest";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import { replyKeywords } from "../../src/serve/keywords.js";
import { handleWechatEvent, handleWechatVerify, WECHAT_PROVIDER } from "../../src/serve/wechat-events.js";
import { wechatSignature } from "../../src/serve/wechat-signature.js";
import type { Db } from "../../src/store/store.js";
import { addMember, memoryStore } from "../support/store.js";
import { addSent, currentOptOuts, NOW, optOutLog, outboxDelivery, snapshot, WECHAT_TOKEN, wechatQuery, wechatXml } from "./support.js";

const OPENID = "oW1-openid-0000000001";
const settings = { token: WECHAT_TOKEN, keywords: replyKeywords("cn", []), now: () => NOW };

function push(fields: Record<string, string>): { signature: string; timestamp: string; nonce: string; xml: string } {
  return { ...wechatQuery(), xml: wechatXml({ ToUserName: "gh_7f083739789a", FromUserName: OPENID, CreateTime: "1764900000", ...fields }) };
}

describe("WeChat server verification", () => {
  it("computes the signature WeChat documents: SHA-1 of the sorted token, timestamp and nonce", () => {
    expect(wechatSignature(WECHAT_TOKEN, "1764900000", "483920")).toBe(wechatQuery().signature);
    expect(wechatSignature("b", "c", "a")).toBe(wechatSignature("a", "b", "c"));
  });

  it("echoes echostr to a signed check", () => {
    expect(handleWechatVerify({ ...wechatQuery(), echostr: "5837397520" }, settings)).toMatchObject({ status: 200, body: "5837397520" });
    expect(handleWechatVerify({ ...wechatQuery(), signature: wechatQuery().signature.toUpperCase(), echostr: "1" }, settings).status).toBe(
      200,
    );
  });

  it("refuses a check with a wrong, missing or partial signature, or without echostr", () => {
    expect(handleWechatVerify({ ...wechatQuery("another token"), echostr: "1" }, settings).status).toBe(403);
    expect(handleWechatVerify({ echostr: "1" }, settings).status).toBe(403);
    expect(handleWechatVerify({ ...wechatQuery(), nonce: "1", echostr: "1" }, settings).status).toBe(403);
    expect(handleWechatVerify({ ...wechatQuery(), signature: "x", echostr: "1" }, settings).status).toBe(403);
    expect(handleWechatVerify(wechatQuery(), settings)).toMatchObject({ status: 400, log: { reason: "no echostr" } });
  });
});

describe("WeChat event pushes", () => {
  let db: Db;
  let row: number;
  beforeEach(() => {
    db = memoryStore();
    addMember(db, { id: "w1", wechat_openid: OPENID, consent_wechat: true });
    row = addSent(db, { memberId: "w1", channel: "wechat", provider: WECHAT_PROVIDER, providerId: "200163836", address: OPENID });
  });
  const finished = (status: string, msgid = "200163836") =>
    push({ MsgType: "event", Event: "TEMPLATESENDJOBFINISH", MsgID: msgid, Status: status });

  it("marks a template message delivered on success", () => {
    const answer = handleWechatEvent(db, finished("success"), settings);
    expect(answer).toMatchObject({ status: 200, body: "success", log: { result: "updated", outboxId: row, delivery: "delivered" } });
    expect(outboxDelivery(db, row)).toEqual({ delivery: "delivered", error_code: null, state: "sent" });
    expect(optOutLog(db)).toEqual([]);
  });

  it("marks it undelivered with WeChat's status as the code on a system failure", () => {
    handleWechatEvent(db, finished("failed: system failed"), settings);
    expect(outboxDelivery(db, row)).toEqual({ delivery: "undelivered", error_code: "failed: system failed", state: "sent" });
    expect(optOutLog(db)).toEqual([]);
  });

  it("opts the member out of WeChat when they refuse the account's messages, once", () => {
    expect(handleWechatEvent(db, finished("failed:user block"), settings).log).toMatchObject({ optOut: "wechat" });
    expect(handleWechatEvent(db, finished("failed:user block"), settings).log).toMatchObject({ result: "unchanged" });
    expect(outboxDelivery(db, row)).toEqual({ delivery: "undelivered", error_code: "failed:user block", state: "sent" });
    expect(optOutLog(db)).toEqual([
      { member_id: "w1", channel: "wechat", address: OPENID, action: "opt-out", source: "provider", detail: "wechat failed:user block" },
    ]);
  });

  it("reads a 64-bit MsgID exactly", () => {
    const big = "2453214587987451905";
    const other = addSent(db, { memberId: "w1", channel: "wechat", provider: WECHAT_PROVIDER, providerId: big, address: OPENID });
    handleWechatEvent(db, finished("success", big), settings);
    expect(outboxDelivery(db, other).delivery).toBe("delivered");
    expect(outboxDelivery(db, row).delivery).toBeNull();
  });

  it("acknowledges a result for a message Patron did not send and changes nothing", () => {
    const before = snapshot(db);
    expect(handleWechatEvent(db, finished("success", "999"), settings)).toMatchObject({ status: 200, log: { result: "unknown message" } });
    expect(snapshot(db)).toBe(before);
  });

  it("opts out on unfollow, and following again lifts only that opt-out", () => {
    handleWechatEvent(db, push({ MsgType: "event", Event: "unsubscribe" }), settings);
    expect(currentOptOuts(db)).toEqual(["w1:wechat"]);
    handleWechatEvent(db, push({ MsgType: "event", Event: "subscribe" }), settings);
    expect(currentOptOuts(db)).toEqual([]);
    expect(optOutLog(db).map((r) => `${r.action} ${r.source} ${r.detail}`)).toEqual([
      "opt-out provider wechat unsubscribe event",
      "opt-in provider wechat subscribe event",
    ]);

    recordOptOut(db, { memberId: "w1", channel: "wechat", action: "opt-out", source: "unsubscribe", detail: "link", at: NOW });
    handleWechatEvent(db, push({ MsgType: "event", Event: "subscribe" }), settings);
    expect(currentOptOuts(db)).toEqual(["w1:wechat"]);
  });

  it("treats a text message that is a keyword as a reply", () => {
    const answer = handleWechatEvent(db, push({ MsgType: "text", Content: "退订", MsgId: "1234567890123456" }), settings);
    expect(answer).toMatchObject({
      status: 200,
      body: "success",
      log: { result: "opt-out", keyword: "退订", members: ["w1"], changed: 1 },
    });
    expect(optOutLog(db)).toEqual([
      { member_id: "w1", channel: "wechat", address: OPENID, action: "opt-out", source: "inbound", detail: "replied 退订" },
    ]);
  });

  it("acknowledges other messages and events and changes nothing", () => {
    const before = snapshot(db);
    const pushes: Record<string, string>[] = [
      { MsgType: "text", Content: "你好" },
      { MsgType: "event", Event: "CLICK", EventKey: "menu" },
      { MsgType: "image", PicUrl: "http://example.com/a.jpg" },
    ];
    for (const fields of pushes) {
      expect(handleWechatEvent(db, push(fields), settings)).toMatchObject({ status: 200, body: "success", log: { result: "ignored" } });
    }
    expect(snapshot(db)).toBe(before);
  });

  it("refuses unsigned, wrongly signed and malformed pushes and changes nothing", () => {
    const before = snapshot(db);
    const good = finished("failed:user block");
    expect(handleWechatEvent(db, { xml: good.xml }, settings).status).toBe(403);
    expect(handleWechatEvent(db, { ...good, ...wechatQuery("another token") }, settings).status).toBe(403);
    expect(handleWechatEvent(db, { ...good, timestamp: "1764900001" }, settings).status).toBe(403);
    const malformed: [string, string][] = [
      ["<xml><MsgType>event</MsgType>", "not a WeChat push: <xml> is not closed"],
      [
        wechatXml({ ToUserName: "gh", Encrypt: "abc" }),
        "the push is encrypted: set the account's message encryption to plaintext (明文模式) or compatible (兼容模式) mode",
      ],
      [wechatXml({ MsgType: "event", Event: "unsubscribe" }), "FromUserName is missing"],
      [push({ MsgType: "event", Event: "TEMPLATESENDJOBFINISH", Status: "success" }).xml, "MsgID is missing or not a number"],
      [push({ MsgType: "event", Event: "TEMPLATESENDJOBFINISH", MsgID: "12a", Status: "success" }).xml, "MsgID is missing or not a number"],
      [push({ MsgType: "event", Event: "TEMPLATESENDJOBFINISH", MsgID: "200163836" }).xml, "Status is missing"],
    ];
    for (const [xml, reason] of malformed) {
      expect(handleWechatEvent(db, { ...wechatQuery(), xml }, settings)).toMatchObject({ status: 400, log: { reason } });
    }
    expect(snapshot(db)).toBe(before);
  });

  it("names the provider as the WeChat channel writes it on the rows it sends", async () => {
    const channel = wechatChannel({ appId: "wx1", appSecret: "s", baseUrl: "http://127.0.0.1:1" });
    expect(channel.provider).toBe(WECHAT_PROVIDER);
    await channel.close();
  });
});
