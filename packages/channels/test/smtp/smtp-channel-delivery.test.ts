import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeSmtp, type FakeSmtp } from "../../../../test/support/fake-smtp.js";
import type { Channel, OutgoingMessage } from "../../src/contract/channel.js";
import { smtpChannel, type SmtpChannelOptions } from "../../src/smtp/smtp-channel.js";

const FROM = "丽美 Lumière Beauty <club@lumiere.example>";

function email(key: string, extra: Partial<Extract<OutgoingMessage, { channel: "email" }>> = {}): OutgoingMessage {
  return { channel: "email", key, to: "wang.fang@example.com", subject: "Your points", text: "Hello", ...extra };
}

describe("the SMTP channel delivers", () => {
  let fake: FakeSmtp;
  const channels: Channel[] = [];
  const open = (options: Partial<SmtpChannelOptions> = {}): Channel => {
    const channel = smtpChannel({ host: fake.host, port: fake.port, secure: false, from: FROM, timeoutMs: 5000, ...options });
    channels.push(channel);
    return channel;
  };

  beforeAll(async () => {
    fake = await startFakeSmtp();
  });
  beforeEach(() => fake.reset());
  // Each test starts with no connection open, so the session counts are its own.
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.close()));
    await waitUntil(() => fake.stats().openSessions === 0);
  });
  afterAll(() => fake.close());

  it("text and HTML parts, with Chinese subject, body and sender name intact", async () => {
    const channel = open({ replyTo: "service@lumiere.example" });
    const result = await channel.send(
      email("spring:2026-03-01:m1", {
        subject: "王芳，您的积分即将到期 ✨",
        text: "亲爱的王芳：您有 1,280 积分将于 3 月 31 日到期。",
        html: "<p>亲爱的<b>王芳</b>：您有 1,280 积分将于 3 月 31 日到期。</p>",
      }),
    );
    expect(result.ok).toBe(true);
    const [mail] = await fake.waitForMessages(1);
    expect(mail).toMatchObject({
      from: { name: "丽美 Lumière Beauty", address: "club@lumiere.example" },
      mailFrom: "club@lumiere.example",
      to: ["wang.fang@example.com"],
      subject: "王芳，您的积分即将到期 ✨",
      text: "亲爱的王芳：您有 1,280 积分将于 3 月 31 日到期。",
      html: "<p>亲爱的<b>王芳</b>：您有 1,280 积分将于 3 月 31 日到期。</p>",
    });
    expect(mail?.headers["content-type"]).toMatch(/^multipart\/alternative;/);
    expect(mail?.headers["reply-to"]).toBe("service@lumiere.example");
  });

  it("a text-only message as one text/plain part, and an HTML-only one (empty text) as text/html", async () => {
    const channel = open();
    await channel.send(email("k-text", { text: "Only text" }));
    await channel.send(email("k-html", { text: "", html: "<p>Only HTML</p>" }));
    const [textOnly, htmlOnly] = await fake.waitForMessages(2);
    expect(textOnly?.headers["content-type"]).toMatch(/^text\/plain/);
    expect(textOnly?.html).toBeUndefined();
    expect(htmlOnly?.headers["content-type"]).toMatch(/^text\/html/);
    expect(htmlOnly?.html?.trim()).toBe("<p>Only HTML</p>");
  });

  it("the RFC 8058 one-click unsubscribe headers when the message has an unsubscribe address, and none otherwise", async () => {
    const channel = open();
    await channel.send(email("k-unsub", { unsubscribeUrl: "https://lumiere.example/unsubscribe/Zm9vYmFy?c=spring" }));
    await channel.send(email("k-plain"));
    const [withUrl, without] = await fake.waitForMessages(2);
    expect(withUrl?.headers["list-unsubscribe"]).toBe("<https://lumiere.example/unsubscribe/Zm9vYmFy?c=spring>");
    expect(withUrl?.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    expect(without?.headers["list-unsubscribe"]).toBeUndefined();
    expect(without?.headers["list-unsubscribe-post"]).toBeUndefined();
  });

  it("the same Message-ID for every send of one key, another for another key, named in the provider id", async () => {
    const channel = open();
    const first = await channel.send(email("spring:2026-03-01:m1"));
    const again = await channel.send(email("spring:2026-03-01:m1"));
    const other = await channel.send(email("spring:2026-03-01:m2"));
    const [a, b, c] = await fake.waitForMessages(3);
    expect(a?.messageId).toMatch(/^<[0-9a-f]{32}\.patron@lumiere\.example>$/);
    expect(b?.messageId).toBe(a?.messageId);
    expect(c?.messageId).not.toBe(a?.messageId);
    expect(first).toEqual({ ok: true, providerId: `${a?.messageId} 250 2.6.0 OK: message queued` });
    expect(again).toEqual(first);
    expect(other.ok && other.providerId.startsWith(c?.messageId ?? "?")).toBe(true);
  });

  it("again after its pooled connection sat idle past the timeout and was closed", async () => {
    const channel = open({ timeoutMs: 150 });
    expect(await channel.send(email("k-before-idle"))).toMatchObject({ ok: true });
    await waitUntil(() => fake.stats().openSessions === 0);
    expect(await channel.send(email("k-after-idle"))).toMatchObject({ ok: true });
    expect(fake.stats().totalSessions).toBe(2);
  });

  it("with a Message-ID in ASCII when the sender's domain is internationalised", async () => {
    await open({ from: "丽美 <club@丽美.中国>" }).send(email("k-idn"));
    const [mail] = await fake.waitForMessages(1);
    expect(mail?.messageId).toMatch(/^<[0-9a-f]{32}\.patron@xn--[a-z0-9-]+\.xn--fiqs8s>$/);
  });

  it("many sends at once over at most maxConnections connections, and more than one", async () => {
    const channel = open({ maxConnections: 3 });
    expect(channel.concurrency).toBe(3);
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => channel.send(email(`k${i}`, { to: `m${i}@example.com` }))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.messages.map((m) => m.to[0]).sort()).toEqual(Array.from({ length: 24 }, (_, i) => `m${i}@example.com`).sort());
    expect(fake.stats().maxConcurrentSessions).toBeLessThanOrEqual(3);
    expect(fake.stats().maxConcurrentSessions).toBeGreaterThanOrEqual(2);
  });

  it("no faster than ratePerSecond", async () => {
    const channel = open({ maxConnections: 5, ratePerSecond: 5 });
    expect(channel.ratePerSecond).toBe(5);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => channel.send(email(`r${i}`))));
    expect(results.every((r) => r.ok)).toBe(true);
    // Five go in the first second, the sixth and seventh wait for the next one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("nothing for an address field holding more than one address, or a message of another channel", async () => {
    const channel = open();
    expect(await channel.send(email("k-two", { to: "a@example.com, b@example.com" }))).toMatchObject({
      ok: false,
      kind: "permanent",
      code: "invalid-address",
    });
    expect(await channel.send(email("k-none", { to: "not an address" }))).toMatchObject({
      ok: false,
      kind: "permanent",
      code: "invalid-address",
    });
    expect(await channel.send({ channel: "sms", key: "k-sms", to: "+8613800000001", body: "hi" })).toMatchObject({
      ok: false,
      kind: "permanent",
      code: "wrong-channel",
    });
    expect(fake.stats().transactions).toBe(0);
  });

  it("close() lets a message in flight finish, closes the connections, and later sends stay queued", async () => {
    const channel = open();
    fake.failNext({ kind: "slow", ms: 300 });
    const sending = channel.send(email("k-inflight"));
    await waitUntil(() => fake.stats().transactions === 1);
    let sent = false;
    void sending.then(() => (sent = true));
    await channel.close();
    expect(sent).toBe(true);
    expect(await sending).toMatchObject({ ok: true });
    expect(await channel.send(email("k-late"))).toMatchObject({ ok: false, kind: "temporary", code: "channel-closed" });
    await waitUntil(() => fake.stats().openSessions === 0);
  });
});

describe("the SMTP channel over TLS (secure: true)", () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp({ secure: true });
  });
  afterAll(() => fake.close());

  it("sends when told to accept the test server's self-signed certificate", async () => {
    const channel = smtpChannel({ host: fake.host, port: fake.port, secure: true, from: FROM, tls: { rejectUnauthorized: false } });
    expect(await channel.send(email("k-tls"))).toMatchObject({ ok: true });
    await channel.close();
    expect(fake.messages).toHaveLength(1);
  });

  it("refuses the certificate otherwise: a settings problem, temporary, pausing the channel", async () => {
    const channel = smtpChannel({ host: fake.host, port: fake.port, secure: true, from: FROM });
    const result = await channel.send(email("k-tls-refused"));
    await channel.close();
    expect(result).toMatchObject({ ok: false, kind: "temporary", pauseChannelUntil: expect.any(Number) as number });
    expect(!result.ok && result.code).toMatch(/CERT|ERR_TLS_/);
    expect(!result.ok && result.message).toContain("channels.email.host, port and secure");
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
