import { request } from "node:http";
import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeTwilio, type FakeTwilio, type TwilioFault } from "../../../../test/support/fake-twilio.js";
import { LocalHttpClient } from "../../src/twilio/http-client.js";
import { twilioChannel } from "../../src/twilio/twilio-channel.js";

// The fake is shared with the end-to-end tests (dispatcher, crash tests): what they rely on is pinned here.

let fake: FakeTwilio | undefined;
let http: LocalHttpClient | undefined;

afterEach(async () => {
  http?.close();
  await fake?.close();
  fake = http = undefined;
});

async function sdk(options: Parameters<typeof startFakeTwilio>[0] = {}) {
  fake = await startFakeTwilio(options);
  http = new LocalHttpClient({ baseUrl: fake.baseUrl, timeoutMs: 2000, maxSockets: 4 });
  // The SDK calls only request() on its httpClient (see src/twilio/http-client.ts).
  return { fake, client: twilio(fake.accountSid, fake.authToken, { httpClient: http as unknown as twilio.RequestClient, env: {} }) };
}

describe("the fake Twilio server", () => {
  it("lists newest first, filtered by To, across pages the SDK follows", async () => {
    const { fake, client } = await sdk();
    for (let i = 0; i < 5; i++) await client.messages.create({ to: "+14155550100", from: "+15005550006", body: `m${i}` });
    await client.messages.create({ to: "+14155550199", from: "+15005550006", body: "other" });
    const listed = await client.messages.list({ to: "+14155550100", pageSize: 2 });
    expect(listed.map((m) => m.body).sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(listed[0]?.dateCreated).toBeInstanceOf(Date);
    expect(listed[0]?.status).toBe("queued");
    expect(listed[0]?.dateSent).toBeNull();
    expect(fake.requestCount).toBe(6 + 3);
  });

  it("leaves queued messages out of DateSent filters, as Twilio does, and lists them once sent", async () => {
    const queued = await sdk();
    await queued.client.messages.create({ to: "+14155550100", from: "+15005550006", body: "hi" });
    expect(await queued.client.messages.list({ to: "+14155550100", dateSentAfter: new Date(0) })).toHaveLength(0);
    http?.close();
    await queued.fake.close();

    const sent = await sdk({ sentAfterMs: 0 });
    await sent.client.messages.create({ to: "+14155550100", from: "+15005550006", body: "hi" });
    const listed = await sent.client.messages.list({ to: "+14155550100", dateSentAfter: new Date(Date.now() - 60_000) });
    expect(listed.map((m) => m.status)).toEqual(["sent"]);
    expect(await sent.client.messages.list({ dateSentAfter: new Date(Date.now() + 60_000) })).toHaveLength(0);
  });

  it("follows a fault plan by request index, and failNext before it", async () => {
    const { fake, client } = await sdk();
    const seen: string[] = [];
    fake.setFaultPlan((index, req): TwilioFault | undefined => {
      seen.push(`${index}:${req.kind}`);
      return index % 2 === 1 ? { status: 503 } : undefined;
    });
    fake.failNext({ status: 400, code: 21610 });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(
        await client.messages.create({ to: "+14155550100", from: "+15005550006", body: `m${i}` }).then(
          () => "ok",
          (e: { status: number; code: number }) => `${e.status}/${e.code}`,
        ),
      );
    }
    expect(outcomes).toEqual(["400/21610", "503/20503", "ok", "503/20503", "ok"]);
    expect(seen).toEqual(["1:send", "2:send", "3:send", "4:send"]);
    expect(fake.messages.map((m) => m.body)).toEqual(["m2", "m4"]);
  });

  it("holds a timed-out request until close, recording nothing", async () => {
    fake = await startFakeTwilio();
    fake.failNext({ kind: "timeout" });
    const channel = twilioChannel({ accountSid: fake.accountSid, authToken: fake.authToken, from: "+15005550006", baseUrl: fake.baseUrl });
    const pending = channel.send({ channel: "sms", key: "k", to: "+14155550100", body: "hi" });
    await waitFor(() => fake?.heldCount === 1);
    expect(fake.messages).toHaveLength(0);
    await fake.close();
    expect(await pending).toMatchObject({ ok: false, kind: "temporary" });
    await channel.close();
    fake = undefined;
  });

  it("answers wrong credentials with Twilio's 401 / 20003 body", async () => {
    fake = await startFakeTwilio();
    const { status, body } = await rawPost(fake.baseUrl, `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, "nobody:nothing");
    expect(status).toBe(401);
    expect(JSON.parse(body)).toEqual({
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function rawPost(baseUrl: string, path: string, credentials: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method: "POST", auth: credentials }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end("To=%2B14155550100&From=%2B15005550006&Body=hi");
  });
}
