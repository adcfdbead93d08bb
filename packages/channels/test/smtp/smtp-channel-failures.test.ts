import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeSmtp, type FakeSmtp, type SmtpFault } from "../../../../test/support/fake-smtp.js";
import type { Channel, OutgoingMessage, SendResult } from "../../src/contract/channel.js";
import { SETTINGS_PAUSE_MS } from "../../src/smtp/classify-smtp-error.js";
import { smtpChannel, type SmtpChannelOptions } from "../../src/smtp/smtp-channel.js";

const FROM = "丽美 Lumière Beauty <club@lumiere.example>";
const USER = "lumiere-mailer";
const PASSWORD = "Pa55-w0rd-9f3k";

function email(key: string): OutgoingMessage {
  return { channel: "email", key, to: "wang.fang@example.com", subject: "Your points", text: "Hello" };
}

describe("the SMTP channel classifies failures", () => {
  let fake: FakeSmtp;
  const channels: Channel[] = [];
  // Every result of this suite, checked at the end for the credentials.
  const results: SendResult[] = [];
  const open = (options: Partial<SmtpChannelOptions> = {}): { send: (m: OutgoingMessage) => Promise<SendResult> } => {
    const channel = smtpChannel({
      host: fake.host,
      port: fake.port,
      secure: false,
      from: FROM,
      user: USER,
      password: PASSWORD,
      timeoutMs: 5000,
      ...options,
    });
    channels.push(channel);
    return {
      send: async (m) => {
        const result = await channel.send(m);
        results.push(result);
        return result;
      },
    };
  };

  beforeAll(async () => {
    fake = await startFakeSmtp({ auth: { user: USER, password: PASSWORD } });
  });
  beforeEach(() => fake.reset());
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await fake.close();
    const text = JSON.stringify(results);
    expect(results.length).toBeGreaterThan(0);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(USER);
  });

  it("logs in with the right credentials", async () => {
    expect(await open().send(email("k-login"))).toMatchObject({ ok: true });
    expect(fake.messages[0]?.user).toBe(USER);
  });

  it.each<[SmtpFault, "temporary" | "permanent", string]>([
    [{ at: "rcpt", code: 450 }, "temporary", "450 4.2.1"],
    [{ at: "rcpt", code: 421 }, "temporary", "421 4.4.2"],
    [{ at: "data", code: 451 }, "temporary", "451 4.3.0"],
    [{ at: "rcpt", code: 550 }, "permanent", "550 5.1.1"],
    [{ at: "data", code: 552 }, "permanent", "552 5.2.2"],
    [{ at: "data", code: 554, message: "Message rejected as spam" }, "permanent", "554 5.6.0"],
  ])("%j → %s, code %s", async (fault, kind, code) => {
    const channel = open();
    fake.failNext(fault);
    const result = await channel.send(email("k-fault"));
    expect(result).toMatchObject({ ok: false, kind, code });
    expect(!result.ok && result.message).toContain(`SMTP server 127.0.0.1:${fake.port}`);
    expect(!result.ok && result.pauseChannelUntil).toBeUndefined();
    expect(fake.messages).toHaveLength(0);
    // The pool goes on: the next message on the same channel is delivered.
    expect(await channel.send(email("k-next"))).toMatchObject({ ok: true });
  });

  it("a connection dropped mid-message is temporary, and the pool does not resend it by itself", async () => {
    const channel = open();
    fake.failNext({ kind: "drop" });
    expect(await channel.send(email("k-drop"))).toMatchObject({ ok: false, kind: "temporary", code: "ECONNECTION" });
    expect(fake.stats().transactions).toBe(1);
    expect(await channel.send(email("k-after-drop"))).toMatchObject({ ok: true });
    expect(fake.messages.map((m) => m.index)).toEqual([1]);
  });

  it("a server that stops answering is temporary (ETIMEDOUT); if it delivers anyway, the resend carries the same Message-ID", async () => {
    const channel = open({ timeoutMs: 300 });
    fake.failNext({ kind: "slow", ms: 800 });
    expect(await channel.send(email("k-slow"))).toMatchObject({ ok: false, kind: "temporary", code: "ETIMEDOUT" });
    expect(await channel.send(email("k-slow"))).toMatchObject({ ok: true });
    const [first, second] = await fake.waitForMessages(2);
    expect(first?.messageId).toBe(second?.messageId);
  });

  it("a server that is down (ECONNREFUSED) is temporary", async () => {
    const gone = await startFakeSmtp();
    const port = gone.port;
    await gone.close();
    const result = await open({ port }).send(email("k-down"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "ECONNREFUSED" });
    expect(result.ok || result.pauseChannelUntil).toBeUndefined();
  });

  it("a wrong password is temporary, pauses the channel for a few minutes and names the settings to check", async () => {
    const before = Date.now();
    const result = await open({ password: "not-the-password" }).send(email("k-bad-login"));
    const after = Date.now();
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "535 5.7.8" });
    if (result.ok) return;
    expect(result.pauseChannelUntil).toBeGreaterThanOrEqual(before + SETTINGS_PAUSE_MS);
    expect(result.pauseChannelUntil).toBeLessThanOrEqual(after + SETTINGS_PAUSE_MS);
    expect(result.message).toContain("channels.email.user and channels.email.password");
    expect(result.message).not.toContain("not-the-password");
    expect(fake.stats().failedLogins).toBe(1);
    expect(fake.messages).toHaveLength(0);
  });

  it("no credentials for a server that requires a login is classified the same way", async () => {
    const result = await open({ user: undefined, password: undefined }).send(email("k-no-login"));
    expect(result).toMatchObject({ ok: false, kind: "temporary", code: "530 5.7.0", pauseChannelUntil: expect.any(Number) as number });
  });

  it("keeps the credentials out of the result even when the server's reply echoes them", async () => {
    const base64 = (s: string): string => Buffer.from(s).toString("base64");
    fake.failNext({
      at: "rcpt",
      code: 550,
      message: `no such user for ${USER}/${PASSWORD} (${base64(PASSWORD)}, ${base64(`\0${USER}\0${PASSWORD}`)})`,
    });
    const result = await open().send(email("k-echo"));
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "550 5.1.1" });
    const message = result.ok ? "" : result.message;
    expect(message).toContain("no such user for [redacted]/[redacted] ([redacted], [redacted])");
    for (const secret of [USER, PASSWORD, base64(PASSWORD), base64(USER)]) expect(message).not.toContain(secret);
  });
});

describe("the SMTP channel's settings", () => {
  const valid: SmtpChannelOptions = { host: "smtp.lumiere.example", port: 587, secure: false, from: FROM };

  it.each<[Partial<SmtpChannelOptions>, string]>([
    [{ from: "Lumière Beauty" }, "channels.email.from must be one address"],
    [{ from: "a@lumiere.example, b@lumiere.example" }, "channels.email.from must be one address"],
    [{ replyTo: "nobody" }, "channels.email.replyTo must be one email address"],
    [{ host: " " }, "channels.email.host is empty"],
    [{ port: 0 }, "channels.email.port must be a port number"],
    [{ user: USER }, "channels.email.user and channels.email.password must be set together"],
    [{ maxConnections: 0 }, "channels.email.maxConnections must be a whole number ≥ 1"],
    [{ ratePerSecond: 0 }, "channels.email.ratePerSecond must be above 0"],
    [{ timeoutMs: -1 }, "the SMTP timeout must be above 0 ms"],
  ])("%j is refused", (change, message) => {
    expect(() => smtpChannel({ ...valid, ...change })).toThrow(message);
  });

  it("describes itself to the dispatcher", async () => {
    const channel = smtpChannel({ ...valid, maxConnections: 2, ratePerSecond: 0.5 });
    expect(channel).toMatchObject({ name: "email", provider: "smtp", concurrency: 2, ratePerSecond: 0.5, idempotent: false });
    expect(channel.lookup).toBeUndefined();
    await channel.close();
    const defaults = smtpChannel(valid);
    expect(defaults.concurrency).toBe(5);
    expect(defaults.ratePerSecond).toBeUndefined();
    await defaults.close();
  });
});
