import { twilioChannel } from "@patron/channels";
import { beforeEach, describe, expect, it } from "vitest";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import { replyKeywords } from "../../src/serve/keywords.js";
import { handleInboundSms } from "../../src/serve/twilio-inbound.js";
import { emptyTwiml, type TwilioWebhook } from "../../src/serve/twilio-request.js";
import { handleTwilioStatus, TWILIO_PROVIDER } from "../../src/serve/twilio-status.js";
import type { Db } from "../../src/store/store.js";
import { addMember, memoryStore } from "../support/store.js";
import {
  addSent,
  AUTH_TOKEN,
  currentOptOuts,
  INBOUND_URL,
  NOW,
  optOutLog,
  outboxDelivery,
  snapshot,
  STATUS_URL,
  twilioRequest,
  twilioSign,
} from "./support.js";

const SID = "SM0123456789abcdef0123456789abcdef";
const status = { authToken: AUTH_TOKEN, now: () => NOW };
const inbound = { authToken: AUTH_TOKEN, keywords: replyKeywords("cn", []), region: "cn" as const, now: () => NOW };

describe("Twilio status callbacks", () => {
  let db: Db;
  let row: number;
  beforeEach(() => {
    db = memoryStore();
    addMember(db, { id: "m1", phone: "+8613800000001", consent_sms: true });
    row = addSent(db, { memberId: "m1", channel: "sms", provider: "twilio", providerId: SID, address: "+8613800000001" });
  });
  const callback = (params: Record<string, string>): TwilioWebhook => twilioRequest(STATUS_URL, { MessageSid: SID, ...params });

  it("puts the status on the outbox row Twilio accepted under the sid", () => {
    const answer = handleTwilioStatus(db, callback({ MessageStatus: "delivered" }), status);
    expect(answer).toMatchObject({ status: 200, log: { result: "updated", outboxId: row, member: "m1", messageStatus: "delivered" } });
    expect(outboxDelivery(db, row)).toEqual({ delivery: "delivered", error_code: null, state: "sent" });
  });

  it("records the error code of an undelivered message", () => {
    handleTwilioStatus(db, callback({ MessageStatus: "undelivered", ErrorCode: "30003" }), status);
    expect(outboxDelivery(db, row)).toEqual({ delivery: "undelivered", error_code: "30003", state: "sent" });
    expect(optOutLog(db)).toEqual([]);
  });

  it("never lets a late callback replace a status further along", () => {
    handleTwilioStatus(db, callback({ MessageStatus: "sent" }), status);
    handleTwilioStatus(db, callback({ MessageStatus: "delivered" }), status);
    const late = handleTwilioStatus(db, callback({ MessageStatus: "sent" }), status);
    expect(late.log).toMatchObject({ result: "unchanged" });
    expect(outboxDelivery(db, row).delivery).toBe("delivered");
    handleTwilioStatus(db, callback({ MessageStatus: "read" }), status);
    expect(outboxDelivery(db, row).delivery).toBe("read");
  });

  it("opts the member out of SMS on an undelivered 21610, once", () => {
    const first = handleTwilioStatus(db, callback({ MessageStatus: "undelivered", ErrorCode: "21610" }), status);
    expect(first.log).toMatchObject({ result: "updated", errorCode: "21610", optOut: "sms" });
    const again = handleTwilioStatus(db, callback({ MessageStatus: "undelivered", ErrorCode: "21610" }), status);
    expect(again.log).toMatchObject({ result: "unchanged" });
    expect(again.log).not.toHaveProperty("optOut");
    expect(optOutLog(db)).toEqual([
      { member_id: "m1", channel: "sms", address: "+8613800000001", action: "opt-out", source: "provider", detail: "twilio 21610" },
    ]);
    expect(currentOptOuts(db)).toEqual(["m1:sms"]);
  });

  it("answers 200 and changes nothing for a sid Patron did not send", () => {
    const before = snapshot(db);
    const answer = handleTwilioStatus(db, twilioRequest(STATUS_URL, { MessageSid: "SMffff", MessageStatus: "delivered" }), status);
    expect(answer).toMatchObject({ status: 200, log: { result: "unknown message" } });
    expect(snapshot(db)).toBe(before);
  });

  it("refuses a missing, wrong or re-aimed signature and changes nothing", () => {
    const before = snapshot(db);
    const params = { MessageSid: SID, MessageStatus: "undelivered", ErrorCode: "21610" };
    const cases: TwilioWebhook[] = [
      { url: STATUS_URL, signature: undefined, params },
      { url: STATUS_URL, signature: "", params },
      { url: STATUS_URL, signature: twilioSign(STATUS_URL, params, "another-token"), params },
      { url: STATUS_URL, signature: twilioSign(STATUS_URL, { ...params, ErrorCode: "30003" }), params },
      { url: STATUS_URL, signature: twilioSign(INBOUND_URL, params), params },
      { url: "not a url", signature: twilioSign(STATUS_URL, params), params },
    ];
    for (const request of cases) expect(handleTwilioStatus(db, request, status).status).toBe(403);
    expect(handleTwilioStatus(db, cases[0]!, status).log).toEqual({ result: "rejected", reason: "no X-Twilio-Signature header" });
    expect(handleTwilioStatus(db, cases[2]!, status).log).toEqual({ result: "rejected", reason: "X-Twilio-Signature does not match" });
    expect(snapshot(db)).toBe(before);
  });

  it("accepts the signature with or without the port in the URL, as the SDK does", () => {
    const params = { MessageSid: SID, MessageStatus: "delivered" };
    const withPort = "https://hooks.example.com:443/twilio/status";
    expect(handleTwilioStatus(db, { url: withPort, signature: twilioSign(STATUS_URL, params), params }, status).status).toBe(200);
  });

  it.each([
    [{ MessageStatus: "delivered" }, "MessageSid is missing or not a message sid"],
    [{ MessageSid: "SM 1", MessageStatus: "delivered" }, "MessageSid is missing or not a message sid"],
    [{ MessageSid: SID }, "MessageStatus is missing or not a status"],
    [{ MessageSid: SID, MessageStatus: "Delivered!" }, "MessageStatus is missing or not a status"],
    [{ MessageSid: SID, MessageStatus: "failed", ErrorCode: "x1" }, "ErrorCode is not a number"],
  ])("refuses a signed but malformed callback %j", (params, reason) => {
    const before = snapshot(db);
    expect(handleTwilioStatus(db, twilioRequest(STATUS_URL, params), status)).toMatchObject({ status: 400, log: { reason } });
    expect(snapshot(db)).toBe(before);
  });

  it("names the provider as the Twilio channel writes it on the rows it sends", async () => {
    const channel = twilioChannel({ accountSid: `AC${"0".repeat(32)}`, authToken: "t", from: "+15005550006" });
    expect(channel.provider).toBe(TWILIO_PROVIDER);
    await channel.close();
  });
});

describe("inbound SMS replies", () => {
  let db: Db;
  beforeEach(() => {
    db = memoryStore();
    addMember(db, { id: "a", phone: "+8613800000001" });
    addMember(db, { id: "b", phone: "13800000001" }); // the same number, imported in national form
    addMember(db, { id: "c", phone: "+8613800000002" });
  });
  const reply = (from: string, body: string): TwilioWebhook =>
    twilioRequest(INBOUND_URL, { MessageSid: "SM1", AccountSid: "AC1", From: from, To: "+861012345678", Body: body });

  it("opts out every member with the replying number and answers empty TwiML", () => {
    const answer = handleInboundSms(db, reply("+8613800000001", "退订"), inbound);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("text/xml; charset=utf-8");
    expect(answer.body).toBe(emptyTwiml());
    expect(answer.body).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><Response\/>$/);
    expect(answer.log).toEqual({ result: "opt-out", keyword: "退订", from: "+86138****0001", members: ["a", "b"], changed: 2 });
    expect(currentOptOuts(db)).toEqual(["a:sms", "b:sms"]);
    expect(optOutLog(db)).toEqual(
      ["a", "b"].map((m) => ({
        member_id: m,
        channel: "sms",
        address: "+8613800000001",
        action: "opt-out",
        source: "inbound",
        detail: "replied 退订",
      })),
    );
  });

  it("re-subscribes on START, and records a repeated keyword once", () => {
    handleInboundSms(db, reply("+8613800000002", "STOP"), inbound);
    handleInboundSms(db, reply("+8613800000002", "stop"), inbound);
    expect(currentOptOuts(db)).toEqual(["c:sms"]);
    handleInboundSms(db, reply("+8613800000002", "Start"), inbound);
    expect(currentOptOuts(db)).toEqual([]);
    expect(optOutLog(db).map((r) => `${r.action} ${r.detail}`)).toEqual(["opt-out replied STOP", "opt-in replied START"]);
  });

  it("logs an opt-out from a number no member has, with the number", () => {
    const answer = handleInboundSms(db, reply("+8613900000009", "TD"), inbound);
    expect(answer.log).toMatchObject({ result: "opt-out", members: "unknown" });
    expect(optOutLog(db)).toEqual([
      { member_id: null, channel: "sms", address: "+8613900000009", action: "opt-out", source: "inbound", detail: "replied TD" },
    ]);
    handleInboundSms(db, reply("+8613900000009", "START"), inbound);
    expect(optOutLog(db)).toHaveLength(1);
  });

  it("changes nothing for a reply that is not a keyword", () => {
    const before = snapshot(db);
    const answer = handleInboundSms(db, reply("+8613800000001", "谢谢，我会去店里看看"), inbound);
    expect(answer).toMatchObject({ status: 200, log: { result: "not a keyword" } });
    expect(snapshot(db)).toBe(before);
  });

  it("uses the keywords of the business's region", () => {
    const us = { ...inbound, keywords: replyKeywords("us", []), region: "us" as const };
    expect(handleInboundSms(db, reply("+8613800000001", "T"), us).log).toMatchObject({ result: "not a keyword" });
    expect(handleInboundSms(db, reply("+8613800000001", "T"), inbound).log).toMatchObject({ result: "opt-out" });
  });

  it("refuses unsigned, wrongly signed and malformed replies and changes nothing", () => {
    const before = snapshot(db);
    const params = { From: "+8613800000001", Body: "STOP" };
    expect(handleInboundSms(db, { url: INBOUND_URL, signature: undefined, params }, inbound).status).toBe(403);
    expect(handleInboundSms(db, { url: INBOUND_URL, signature: twilioSign(STATUS_URL, params), params }, inbound).status).toBe(403);
    expect(handleInboundSms(db, twilioRequest(INBOUND_URL, { Body: "STOP" }), inbound)).toMatchObject({ status: 400 });
    expect(handleInboundSms(db, twilioRequest(INBOUND_URL, { From: "+8613800000001" }), inbound)).toMatchObject({ status: 400 });
    expect(snapshot(db)).toBe(before);
  });

  it("keeps an opt-out another source recorded when the member replies STOP again", () => {
    recordOptOut(db, { memberId: "c", channel: "sms", action: "opt-out", source: "provider", detail: "twilio 21610", at: NOW - 1 });
    expect(handleInboundSms(db, reply("+8613800000002", "STOP"), inbound).log).toMatchObject({ changed: 0 });
    expect(optOutLog(db)).toHaveLength(1);
  });
});
