import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeTwilio, type FakeTwilio, type TwilioFault } from "../../../../test/support/fake-twilio.js";
import type { Channel, OutgoingMessage, SendResult } from "../../src/contract/channel.js";
import { AUTH_FAILURE_PAUSE_MS } from "../../src/twilio/classify.js";
import type { TwilioChannelOptions } from "../../src/twilio/options.js";
import { twilioChannel } from "../../src/twilio/twilio-channel.js";

// Recognisable credentials, so a leak into any text is easy to see.
const ACCOUNT_SID = `AC${"5ec7e7".repeat(5)}ab`;
const AUTH_TOKEN = "s3cr3t-t0ken-never-shown-4242";
const MESSAGING_SERVICE = `MG${"a1".repeat(16)}`;

const sms = (to: string, body: string, key = `k:${to}:${body}`): OutgoingMessage => ({ channel: "sms", key, to, body });

let fake: FakeTwilio;
const opened: Channel[] = [];

function channel(overrides: Partial<TwilioChannelOptions> = {}): Channel {
  const made = twilioChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+15005550006", baseUrl: fake.baseUrl, ...overrides });
  opened.push(made);
  return made;
}

beforeEach(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await fake.close();
});

describe("the Twilio SMS channel: sending", () => {
  it("sends from a number and answers with the message SID", async () => {
    const result = await channel().send(sms("+8613800000001", "【丽美】王芳，您好 回TD退订"));
    expect(fake.messages).toHaveLength(1);
    const [recorded] = fake.messages;
    expect(result).toEqual({ ok: true, providerId: recorded?.sid });
    expect(recorded?.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(recorded).toMatchObject({ to: "+8613800000001", from: "+15005550006", body: "【丽美】王芳，您好 回TD退订" });
    expect(recorded?.messagingServiceSid).toBeUndefined();
  });

  it("sends through a Messaging Service instead of a number", async () => {
    const result = await channel({ from: undefined, messagingServiceSid: MESSAGING_SERVICE }).send(sms("+14155550100", "Hi"));
    expect(result.ok).toBe(true);
    expect(fake.messages[0]).toMatchObject({ to: "+14155550100", messagingServiceSid: MESSAGING_SERVICE });
    expect(fake.messages[0]?.from).toBeUndefined();
  });

  it("passes the status callback through", async () => {
    await channel({ statusCallback: "https://patron.example/twilio/status" }).send(sms("+14155550100", "Hi"));
    expect(fake.messages[0]?.statusCallback).toBe("https://patron.example/twilio/status");
  });

  it("describes itself to the dispatcher: sms, not idempotent, its limits", () => {
    const c = channel({ concurrency: 3, ratePerSecond: 10 });
    expect(c).toMatchObject({ name: "sms", provider: "twilio", idempotent: false, concurrency: 3, ratePerSecond: 10 });
    expect(typeof c.lookup).toBe("function");
  });

  it("sends concurrently, each message once with its own SID", async () => {
    const c = channel({ concurrency: 8 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.send(sms(`+1415555${String(i).padStart(4, "0")}`, `n${i}`))));
    const ids = results.map((r) => (r.ok ? r.providerId : r.code));
    expect(new Set(ids).size).toBe(40);
    expect(fake.messages.map((m) => m.sid).sort()).toEqual([...ids].sort());
    for (const m of fake.messages) expect(m.body).toBe(`n${Number(m.to.slice(-4))}`);
  });

  it("refuses a message meant for another channel, permanently", async () => {
    const result = await channel().send({ channel: "email", key: "k", to: "a@example.com", subject: "s", text: "t" });
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "wrong-channel" });
    expect(fake.requestCount).toBe(0);
  });
});

describe("the Twilio SMS channel: what went wrong", () => {
  async function failWith(fault: TwilioFault, overrides: Partial<TwilioChannelOptions> = {}): Promise<SendResult> {
    fake.failNext(fault);
    const result = await channel(overrides).send(sms("+14155550100", "Hello"));
    expect(fake.messages, "a failed request delivers nothing").toHaveLength(0);
    return result;
  }

  it("429 is temporary and honours Retry-After", async () => {
    expect(await failWith({ status: 429, code: 20429, retryAfterSeconds: 7 })).toMatchObject({
      ok: false,
      kind: "temporary",
      code: "20429",
      retryAfterMs: 7000,
    });
  });

  it("429 without Retry-After is temporary with no hint", async () => {
    const result = await failWith({ status: 429, code: 20429 });
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "20429" });
    expect(result).not.toHaveProperty("retryAfterMs");
  });

  it("5xx is temporary", async () => {
    expect(await failWith({ status: 500 })).toMatchObject({ ok: false, kind: "temporary", code: "20500" });
    expect(await failWith({ status: 503 })).toMatchObject({ ok: false, kind: "temporary", code: "20503" });
    expect(await failWith({ status: 502, message: "Bad Gateway" })).toMatchObject({ ok: false, kind: "temporary", code: "http-502" });
  });

  it("a request that gets no answer in time is a temporary 'timeout'", async () => {
    const started = Date.now();
    const result = await failWith({ kind: "timeout" }, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "timeout" });
    expect(Date.now() - started).toBeLessThan(5000);
    // The held send, then the list read that checked whether it arrived after all.
    expect(fake.requestCount).toBe(2);
  });

  it("a connection reset before Twilio accepted is a temporary ECONNRESET", async () => {
    expect(await failWith({ kind: "reset" })).toMatchObject({ ok: false, kind: "temporary", code: "ECONNRESET" });
  });

  it("a refused connection is a temporary ECONNREFUSED", async () => {
    const port = await closedPort();
    const result = await channel({ baseUrl: `http://127.0.0.1:${port}` }).send(sms("+14155550100", "Hello"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "ECONNREFUSED" });
  });

  it("an invalid 'To' number (21211) is permanent, with Twilio's code and message", async () => {
    expect(await failWith({ status: 400, code: 21211 })).toMatchObject({ ok: false, kind: "permanent", code: "21211" });
    const real = await channel().send(sms("not-a-number", "Hello"));
    expect(real).toMatchObject({ ok: false, kind: "permanent", code: "21211" });
    expect(real.ok ? "" : real.message).toContain("Invalid 'To' Phone Number");
  });

  it("an unsubscribed recipient (21610) is permanent and an opt-out", async () => {
    expect(await failWith({ status: 400, code: 21610 })).toMatchObject({ ok: false, kind: "permanent", code: "21610", optOut: true });
  });

  it("other 4xx (21614 not mobile, 21408 region) are permanent with Twilio's code and message", async () => {
    const notMobile = await failWith({ status: 400, code: 21614 });
    expect(notMobile).toMatchObject({ ok: false, kind: "permanent", code: "21614" });
    expect(notMobile.ok ? "" : notMobile.message).toContain("not a valid mobile number");
    expect(notMobile).not.toHaveProperty("optOut");
    const region = await failWith({ status: 400, code: 21408 });
    expect(region).toMatchObject({ ok: false, kind: "permanent", code: "21408" });
    expect(region.ok ? "" : region.message).toContain("Permission to send an SMS has not been enabled");
    expect(await failWith({ status: 403, code: 20008 })).toMatchObject({ ok: false, kind: "permanent", code: "20008" });
  });

  it("rejected credentials (20003) pause the channel and name where to fix them", async () => {
    const before = Date.now();
    const c = channel({ authToken: "wrong-token-0000", credentialSource: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" });
    const result = await c.send(sms("+14155550100", "Hello"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "20003", retryAfterMs: AUTH_FAILURE_PAUSE_MS });
    if (result.ok) throw new Error("expected a failure");
    expect(result.message).toContain("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
    expect(result.pauseChannelUntil).toBeGreaterThanOrEqual(before + AUTH_FAILURE_PAUSE_MS);
    expect(result.pauseChannelUntil).toBeLessThanOrEqual(Date.now() + AUTH_FAILURE_PAUSE_MS);
    expect(result.message).not.toContain("wrong-token-0000");
    expect(fake.messages).toHaveLength(0);
  });
});

describe("the Twilio SMS channel keeps its credentials to itself", () => {
  it("in every result, whatever Twilio or the network did", async () => {
    const faults: TwilioFault[] = [
      { status: 429, code: 20429, retryAfterSeconds: 1 },
      { status: 500 },
      { status: 503 },
      { status: 400, code: 21211 },
      { status: 400, code: 21610 },
      { status: 400, code: 21408, message: `Permission denied for account ${ACCOUNT_SID} (token ${AUTH_TOKEN})` },
      { status: 404, code: 20404, message: `The requested resource /2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json was not found` },
      { kind: "timeout" },
      { kind: "reset" },
    ];
    const c = channel({ timeoutMs: 200 });
    const results: SendResult[] = [];
    for (const fault of faults) {
      fake.failNext(fault);
      results.push(await c.send(sms("+14155550100", "Hello")));
    }
    results.push(await channel({ authToken: `${AUTH_TOKEN}-wrong` }).send(sms("+14155550100", "Hello")));
    results.push(await channel({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).send(sms("+14155550100", "Hello")));
    expect(results.every((r) => !r.ok)).toBe(true);
    const text = JSON.stringify(results);
    expect(text).toContain("[redacted]");
    for (const secret of [ACCOUNT_SID, AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")]) {
      expect(text).not.toContain(secret);
    }
  });

  it("in the error a failed lookup throws", async () => {
    fake.failNext({ status: 500, message: `internal error for ${ACCOUNT_SID}` }, 1, "list");
    const error = await channel()
      .lookup?.(sms("+14155550100", "Hello"), new Date())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const text = String((error as Error).message);
    expect(text).toContain("could not read Twilio's message list");
    expect(text).not.toContain(ACCOUNT_SID);
    expect(text).not.toContain(AUTH_TOKEN);
  });

  it("in the errors bad options throw", () => {
    const attempts: Partial<TwilioChannelOptions>[] = [
      { accountSid: `XX${AUTH_TOKEN}` },
      { authToken: " " },
      { messagingServiceSid: MESSAGING_SERVICE },
      { from: undefined },
      { concurrency: 0 },
      { baseUrl: "ftp://example.com" },
    ];
    for (const attempt of attempts) {
      let message = "";
      try {
        channel(attempt);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, JSON.stringify(attempt)).toMatch(/^the Twilio SMS channel \(channels\.sms in patron\.yaml\): /);
      expect(message).not.toContain(AUTH_TOKEN);
      expect(message).not.toContain(ACCOUNT_SID);
    }
  });
});

describe("the Twilio SMS channel: lookup settles a send whose outcome is unknown", () => {
  it("finds a message Twilio accepted at or after `since`, still queued", async () => {
    const c = channel();
    const since = new Date();
    const sent = await c.send(sms("+14155550100", "Your points expire soon"));
    if (!sent.ok) throw new Error(sent.message);
    expect(await c.lookup?.(sms("+14155550100", "Your points expire soon"), since)).toEqual({ found: true, providerId: sent.providerId });
  });

  it("does not find a different body, another number, or a message from before `since`", async () => {
    const c = channel();
    await c.send(sms("+14155550100", "Your points expire soon"));
    expect(await c.lookup?.(sms("+14155550100", "Happy birthday"), new Date(0))).toEqual({ found: false });
    expect(await c.lookup?.(sms("+14155550199", "Your points expire soon"), new Date(0))).toEqual({ found: false });
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await c.lookup?.(sms("+14155550100", "Your points expire soon"), later)).toEqual({ found: false });
  });

  it("after accept-then-reset, the send fails ambiguously and lookup finds the accepted message", async () => {
    const c = channel({ settleAmbiguousSends: false });
    const since = new Date();
    fake.failNext({ kind: "accept-then-reset" });
    const result = await c.send(sms("+14155550100", "Coupon inside"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "ECONNRESET" });
    expect(fake.messages).toHaveLength(1);
    expect(await c.lookup?.(sms("+14155550100", "Coupon inside"), since)).toEqual({ found: true, providerId: fake.messages[0]?.sid });
  });

  it("settles an ambiguous send itself by default, so the message is not sent twice", async () => {
    const c = channel();
    fake.failNext({ kind: "accept-then-reset" });
    const result = await c.send(sms("+14155550100", "Coupon inside"));
    expect(fake.messages).toHaveLength(1);
    expect(result).toEqual({ ok: true, providerId: fake.messages[0]?.sid });
  });

  it("keeps the failure when the settling lookup cannot read the list", async () => {
    const c = channel();
    fake.failNext({ kind: "accept-then-reset" });
    fake.failNext({ status: 503 }, 1, "list");
    const result = await c.send(sms("+14155550100", "Coupon inside"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "ECONNRESET" });
    expect(result.ok ? "" : result.message).toContain("could not be read");
  });

  it("ignores messages for other channels", async () => {
    expect(await channel().lookup?.({ channel: "wechat", key: "k", to: "o1", templateId: "t", data: {} }, new Date(0))).toEqual({
      found: false,
    });
    expect(fake.requestCount).toBe(0);
  });
});

/** A port nothing listens on: bound, read back, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
