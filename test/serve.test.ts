import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServeHandle, type ServeOptions } from "../packages/cli/src/commands/serve.js";
import { unsubscribeToken, unsubscribeUrl } from "../packages/engine/src/consent/unsubscribe.js";
import { openStore, type Db } from "../packages/engine/src/store/store.js";
import { captureIo } from "./support/io.js";

// `patron serve` over real HTTP on 127.0.0.1: every route with valid, invalid and missing
// signatures, oversized and malformed bodies. The server runs in this process (startServe, as the
// command runs it) on a free port; a second connection to the same SQLite file reads what it did.
// Signatures are computed here from the providers' documented algorithms, not by Patron's code.

const AUTH_TOKEN = "twilio-auth-token-for-serve-tests";
const WECHAT_TOKEN = "wechat-server-token-for-serve-tests";
const SIGNING_SECRET = "signing-secret-for-serve-tests";
const ENV = { TWILIO_AUTH_TOKEN: AUTH_TOKEN, PATRON_WECHAT_TOKEN: WECHAT_TOKEN, PATRON_SIGNING_SECRET: SIGNING_SECRET };
/** What Twilio calls (patron.yaml's statusCallback names it): the URL Twilio signs. */
const PUBLIC = "https://hooks.serve.example";
const SMS_SID = "SM00000000000000000000000000000001";
const WECHAT_MSGID = "2453214587987451905";

const PATRON_YAML = `business: "Serve Shop"
timezone: Asia/Shanghai
region: cn
tiers: [silver, gold]
channels:
  sms:
    provider: twilio
    from: "+861012345678"
    accountSid: { env: TWILIO_ACCOUNT_SID }
    authToken: { env: TWILIO_AUTH_TOKEN }
    statusCallback: "${PUBLIC}/twilio/status"
messages:
  hello:
    purpose: service
    sms: { body: "【Serve】您好 回TD退订" }
`;

interface Project {
  readonly dir: string;
  readonly db: Db;
  readonly outboxSms: number;
  readonly outboxWechat: number;
}

function project(yaml = PATRON_YAML): Project {
  const dir = mkdtempSync(join(tmpdir(), "patron-serve-"));
  writeFileSync(join(dir, "patron.yaml"), yaml);
  const db = openStore(join(dir, "patron.db"));
  const member = db.prepare("INSERT INTO members (id, phone, email, wechat_openid) VALUES (?, ?, ?, ?)");
  member.run("s1", "+8613800000001", "s1@example.com", "oW1-serve-openid-1");
  member.run("s2", "13800000002", null, null);
  const runId = db
    .prepare("INSERT INTO runs (campaign, slot, as_of, file, state, started_at) VALUES ('c', 1, 1, 'c.campaign', 'planned', 1)")
    .run().lastInsertRowid;
  const sent = db.prepare(
    `INSERT INTO outbox (run_id, member_id, action, decision, channel, message, address, content, state, provider, provider_id, sent_at)
     VALUES (?, 's1', ?, 'send', ?, 'hello', ?, '{}', 'sent', ?, ?, 1)`,
  );
  const outboxSms = Number(sent.run(runId, 0, "sms", "+8613800000001", "twilio", SMS_SID).lastInsertRowid);
  const outboxWechat = Number(sent.run(runId, 1, "wechat", "oW1-serve-openid-1", "wechat-official-account", WECHAT_MSGID).lastInsertRowid);
  return { dir, db, outboxSms, outboxWechat };
}

/** Any free port on 127.0.0.1, for this project. */
function options(p: Project): ServeOptions {
  return { config: join(p.dir, "patron.yaml"), host: "127.0.0.1", port: 0 };
}

/** Every row the server may change, as text: equal snapshots mean it changed nothing. */
function snapshot(db: Db): string {
  return JSON.stringify(["outbox", "opt_outs", "opt_out_current"].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
}

function optOuts(db: Db): string[] {
  return (db.prepare("SELECT member_id, channel, action, source, detail FROM opt_outs ORDER BY id").all() as Record<string, unknown>[]).map(
    (r) => `${String(r["member_id"])} ${String(r["channel"])} ${String(r["action"])} ${String(r["source"])} ${String(r["detail"])}`,
  );
}

function twilioSignature(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac("sha1", token).update(data, "utf8").digest("base64");
}

function wechatQuery(token = WECHAT_TOKEN, timestamp = "1764900000", nonce = "77231"): string {
  const signature = createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
  return new URLSearchParams({ signature, timestamp, nonce }).toString();
}

interface Reply {
  readonly status: number;
  readonly type: string | null;
  readonly allow: string | null;
  readonly body: string;
}

const FORM = "application/x-www-form-urlencoded";

async function call(
  base: string,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), ...init });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    allow: response.headers.get("allow"),
    body: await response.text(),
  };
}

/** A Twilio webhook as Twilio sends it: a form body, signed (or not, or wrongly) for `signedUrl`. */
function twilioPost(base: string, path: string, params: Record<string, string>, signature: string | undefined): Promise<Reply> {
  return call(base, path, {
    body: new URLSearchParams(params).toString(),
    headers: { "content-type": FORM, ...(signature === undefined ? {} : { "x-twilio-signature": signature }) },
  });
}

function wechatXml(fields: Record<string, string>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join("")}</xml>`;
}

/** A chunked body (no Content-Length) through node:http: the server must count it as it comes. */
function postChunked(base: string, path: string, chunks: number, chunkSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "POST", headers: { "content-type": FORM } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (let i = 0; i < chunks; i++) req.write("x".repeat(chunkSize));
    req.end();
  });
}

describe("patron serve", () => {
  let p: Project;
  let io: ReturnType<typeof captureIo>;
  let server: ServeHandle;
  let base: string;

  beforeAll(async () => {
    p = project();
    io = captureIo();
    server = await startServe(options(p), io, ENV);
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
    p.db.close();
  });

  it("says where it listens and which routes are on, as JSON", async () => {
    expect(base).toBe(`http://127.0.0.1:${server.port}`);
    expect(JSON.parse(io.lines[0]!)).toMatchObject({
      event: "listening",
      url: base,
      publicUrl: PUBLIC,
      routes: { "/twilio/status": "on", "/twilio/inbound": "on", "/wechat": "on", "/unsubscribe": "on" },
    });
    expect(await call(base, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
  });

  describe("POST /twilio/status", () => {
    const url = `${PUBLIC}/twilio/status`;

    it("refuses a missing or wrong signature and changes nothing", async () => {
      const before = snapshot(p.db);
      const params = { MessageSid: SMS_SID, MessageStatus: "undelivered", ErrorCode: "21610" };
      expect(await twilioPost(base, "/twilio/status", params, undefined)).toMatchObject({
        status: 403,
        body: "no X-Twilio-Signature header\n",
      });
      expect(await twilioPost(base, "/twilio/status", params, twilioSignature(url, params, "not-the-token"))).toMatchObject({
        status: 403,
        body: "X-Twilio-Signature does not match\n",
      });
      // Signed for the address the server listens on, not the public one Twilio calls.
      expect((await twilioPost(base, "/twilio/status", params, twilioSignature(`${base}/twilio/status`, params))).status).toBe(403);
      expect(snapshot(p.db)).toBe(before);
    });

    it("refuses a body that is not a form, or names a field twice, and changes nothing", async () => {
      const before = snapshot(p.db);
      const json = await call(base, "/twilio/status", { body: "{}", headers: { "content-type": "application/json" } });
      expect(json).toMatchObject({ status: 415 });
      const twice = "MessageSid=a&MessageSid=b&MessageStatus=sent";
      expect(await call(base, "/twilio/status", { body: twice, headers: { "content-type": FORM } })).toMatchObject({ status: 400 });
      expect(snapshot(p.db)).toBe(before);
    });

    it("puts a signed status on the outbox row, and opts the member out on 21610", async () => {
      const delivered = { MessageSid: SMS_SID, MessageStatus: "sent", AccountSid: "AC1", To: "+8613800000001" };
      expect((await twilioPost(base, "/twilio/status", delivered, twilioSignature(url, delivered))).status).toBe(200);
      expect(p.db.prepare("SELECT delivery, error_code FROM outbox WHERE id = ?").get(p.outboxSms)).toEqual({
        delivery: "sent",
        error_code: null,
      });

      const stop = { MessageSid: SMS_SID, MessageStatus: "undelivered", ErrorCode: "21610" };
      expect((await twilioPost(base, "/twilio/status", stop, twilioSignature(url, stop))).status).toBe(200);
      expect(p.db.prepare("SELECT delivery, error_code FROM outbox WHERE id = ?").get(p.outboxSms)).toEqual({
        delivery: "undelivered",
        error_code: "21610",
      });
      expect(optOuts(p.db)).toContain("s1 sms opt-out provider twilio 21610");
    });
  });

  describe("POST /twilio/inbound", () => {
    const url = `${PUBLIC}/twilio/inbound`;
    const reply = (from: string, body: string) => ({ MessageSid: "SM9", From: from, To: "+861012345678", Body: body });

    it("refuses a missing or wrong signature and changes nothing", async () => {
      const before = snapshot(p.db);
      const params = reply("13800000002", "TD");
      expect((await twilioPost(base, "/twilio/inbound", params, undefined)).status).toBe(403);
      expect((await twilioPost(base, "/twilio/inbound", params, twilioSignature(`${PUBLIC}/twilio/status`, params))).status).toBe(403);
      expect((await twilioPost(base, "/twilio/inbound", params, "AAAA")).status).toBe(403);
      expect(snapshot(p.db)).toBe(before);
    });

    it("opts the replying member out of SMS on TD and back in on START, answering empty TwiML", async () => {
      const td = reply("+8613800000002", "td");
      const answer = await twilioPost(base, "/twilio/inbound", td, twilioSignature(url, td));
      expect(answer).toMatchObject({
        status: 200,
        type: "text/xml; charset=utf-8",
        body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
      });
      expect(p.db.prepare("SELECT member_id, channel, source FROM opt_out_current WHERE member_id = 's2'").all()).toEqual([
        { member_id: "s2", channel: "sms", source: "inbound" },
      ]);
      const start = reply("+8613800000002", "START");
      expect((await twilioPost(base, "/twilio/inbound", start, twilioSignature(url, start))).status).toBe(200);
      expect(p.db.prepare("SELECT count(*) FROM opt_out_current WHERE member_id = 's2'").pluck().get()).toBe(0);
      expect(optOuts(p.db).filter((line) => line.startsWith("s2"))).toEqual([
        "s2 sms opt-out inbound replied TD",
        "s2 sms opt-in inbound replied START",
      ]);
    });
  });

  describe("/wechat", () => {
    it("echoes echostr to WeChat's signed check and refuses an unsigned one", async () => {
      expect(await call(base, `/wechat?${wechatQuery()}&echostr=8873462`)).toMatchObject({ status: 200, body: "8873462" });
      expect((await call(base, `/wechat?${wechatQuery("not-the-token")}&echostr=8873462`)).status).toBe(403);
      expect((await call(base, "/wechat?echostr=8873462")).status).toBe(403);
    });

    it("refuses unsigned, wrongly signed and malformed pushes and changes nothing", async () => {
      const before = snapshot(p.db);
      const xml = wechatXml({ FromUserName: "oW1-serve-openid-1", MsgType: "event", Event: "unsubscribe" });
      expect((await call(base, "/wechat", { body: xml })).status).toBe(403);
      expect((await call(base, `/wechat?${wechatQuery("not-the-token")}`, { body: xml })).status).toBe(403);
      const malformed = await call(base, `/wechat?${wechatQuery()}`, { body: "<xml><MsgType>event" });
      expect(malformed).toMatchObject({ status: 400, body: "not a WeChat push: <MsgType> is not closed\n" });
      const doctype = await call(base, `/wechat?${wechatQuery()}`, {
        body: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>',
      });
      expect(doctype.status).toBe(400);
      expect(snapshot(p.db)).toBe(before);
    });

    it("puts a template send result on the outbox row by MsgID, and opts out on unfollow", async () => {
      const result = wechatXml({
        FromUserName: "oW1-serve-openid-1",
        MsgType: "event",
        Event: "TEMPLATESENDJOBFINISH",
        MsgID: WECHAT_MSGID,
        Status: "success",
      });
      expect(await call(base, `/wechat?${wechatQuery()}`, { body: result, headers: { "content-type": "text/xml" } })).toMatchObject({
        status: 200,
        body: "success",
      });
      expect(p.db.prepare("SELECT delivery FROM outbox WHERE id = ?").pluck().get(p.outboxWechat)).toBe("delivered");

      const unfollow = wechatXml({ FromUserName: "oW1-serve-openid-1", MsgType: "event", Event: "unsubscribe" });
      expect((await call(base, `/wechat?${wechatQuery()}`, { body: unfollow })).status).toBe(200);
      expect(optOuts(p.db)).toContain("s1 wechat opt-out provider wechat unsubscribe event");
    });
  });

  describe("/unsubscribe", () => {
    const link = (member: string, channel: "email" | "sms" = "email") =>
      new URL(unsubscribeUrl(`${base}/unsubscribe`, SIGNING_SECRET, member, channel));

    it("shows a confirmation page on GET and changes nothing", async () => {
      const before = snapshot(p.db);
      const page = await call(base, `/unsubscribe${link("s1").search}`);
      expect(page).toMatchObject({ status: 200, type: "text/html; charset=utf-8" });
      expect(page.body).toContain("确定不再接收Serve Shop的营销邮件吗？");
      expect(page.body).toContain('<form method="post">');
      expect(snapshot(p.db)).toBe(before);
    });

    it("refuses a forged, incomplete or bodiless unsubscribe and changes nothing", async () => {
      const before = snapshot(p.db);
      const oneClick = { body: "List-Unsubscribe=One-Click", headers: { "content-type": FORM } };
      const forged = link("s1");
      forged.searchParams.set("m", "s2");
      expect((await call(base, `/unsubscribe${forged.search}`, oneClick)).status).toBe(403);
      const unsigned = link("s1");
      unsigned.searchParams.delete("t");
      expect((await call(base, `/unsubscribe${unsigned.search}`, oneClick)).status).toBe(400);
      expect((await call(base, `/unsubscribe${link("s1").search}`, { body: "", headers: { "content-type": FORM } })).status).toBe(400);
      expect(snapshot(p.db)).toBe(before);
    });

    it("opts the member out of the link's channel on the RFC 8058 one-click POST", async () => {
      const answer = await call(base, `/unsubscribe${link("s1").search}`, {
        body: "List-Unsubscribe=One-Click",
        headers: { "content-type": FORM },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain("您已退订");
      expect(optOuts(p.db)).toContain("s1 email opt-out unsubscribe one-click unsubscribe link");
    });
  });

  describe("the edge", () => {
    it("answers 413 to a body over 64 KB, declared or streamed, and changes nothing", async () => {
      const before = snapshot(p.db);
      const big = `Body=${"x".repeat(70 * 1024)}&From=%2B8613800000001`;
      expect(await twilioPost(base, "/twilio/inbound", { Body: big }, "sig")).toMatchObject({ status: 413 });
      expect(await postChunked(base, "/twilio/inbound", 20, 4096)).toBe(413);
      expect(await postChunked(base, "/twilio/inbound", 1, 4096)).toBe(403);
      expect(snapshot(p.db)).toBe(before);
    });

    it("answers 400 to a body that is not UTF-8, and changes nothing", async () => {
      const before = snapshot(p.db);
      const response = await fetch(`${base}/wechat?${wechatQuery()}`, { method: "POST", body: new Uint8Array([0x3c, 0x78, 0xff, 0xfe]) });
      expect({ status: response.status, body: await response.text() }).toEqual({ status: 400, body: "the body is not UTF-8\n" });
      expect(snapshot(p.db)).toBe(before);
    });

    it("answers 404 to an unknown path, 405 with Allow to a wrong method, 400 to a repeated query field", async () => {
      expect((await call(base, "/nowhere")).status).toBe(404);
      expect(await call(base, "/twilio/status")).toMatchObject({ status: 405, allow: "POST" });
      expect(await call(base, "/unsubscribe", { method: "PUT", body: "x" })).toMatchObject({ status: 405, allow: "GET, POST" });
      expect((await call(base, `/wechat?${wechatQuery()}&nonce=1&echostr=1`)).status).toBe(400);
    });

    it("logs one JSON line per request, with no signature, token or raw address in it", () => {
      const requests = io.lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(requests.length).toBeGreaterThan(20);
      for (const r of requests)
        expect(r).toMatchObject({ event: "request", method: expect.any(String), path: expect.any(String), status: expect.any(Number) });
      const text = io.lines.join("\n");
      expect(text).not.toContain(AUTH_TOKEN);
      expect(text).not.toContain("signature=");
      expect(text).not.toContain(unsubscribeToken(SIGNING_SECRET, "s1", "email"));
      expect(text).not.toContain("+8613800000002");
      expect(requests).toContainEqual(
        expect.objectContaining({ path: "/twilio/inbound", status: 200, result: "opt-out", keyword: "TD", from: "+86138****0002" }),
      );
    });
  });
});

describe("patron serve's configuration", () => {
  it("checks Twilio signatures against --public-url when given", async () => {
    const p = project();
    const server = await startServe({ ...options(p), publicUrl: "https://other.example/patron/" }, captureIo(), ENV);
    try {
      const params = { MessageSid: SMS_SID, MessageStatus: "delivered" };
      const other = twilioSignature("https://other.example/patron/twilio/status", params);
      expect((await twilioPost(server.url, "/twilio/status", params, other)).status).toBe(200);
      expect((await twilioPost(server.url, "/twilio/status", params, twilioSignature(`${PUBLIC}/twilio/status`, params))).status).toBe(403);
    } finally {
      await server.close();
      p.db.close();
    }
  });

  it("checks them against the request's own address without a public URL or statusCallback", async () => {
    const p = project(PATRON_YAML.replace(/^ {4}statusCallback.*\n/m, ""));
    const server = await startServe(options(p), captureIo(), ENV);
    try {
      const params = { MessageSid: SMS_SID, MessageStatus: "delivered" };
      expect((await twilioPost(server.url, "/twilio/status", params, twilioSignature(`${server.url}/twilio/status`, params))).status).toBe(
        200,
      );
    } finally {
      await server.close();
      p.db.close();
    }
  });

  it("turns off a route whose secret is not set, and says why", async () => {
    const p = project();
    const log = captureIo();
    const server = await startServe(options(p), log, { PATRON_SIGNING_SECRET: SIGNING_SECRET });
    try {
      expect(JSON.parse(log.lines[0]!)).toMatchObject({
        routes: {
          "/twilio/status":
            "channels.sms.authToken names TWILIO_AUTH_TOKEN, which is not set: export TWILIO_AUTH_TOKEN=<the Twilio auth token>",
          "/wechat":
            "PATRON_WECHAT_TOKEN is not set: export PATRON_WECHAT_TOKEN=<the Token of the official account's server configuration>",
          "/unsubscribe": "on",
        },
      });
      const params = { MessageSid: SMS_SID, MessageStatus: "delivered" };
      expect((await twilioPost(server.url, "/twilio/status", params, twilioSignature(`${PUBLIC}/twilio/status`, params))).status).toBe(404);
      expect((await call(server.url, `/wechat?${wechatQuery()}&echostr=1`)).status).toBe(404);
    } finally {
      await server.close();
      p.db.close();
    }
  });

  it("refuses to start with nothing to serve", async () => {
    const p = project();
    await expect(startServe(options(p), captureIo(), {})).rejects.toThrow(
      /^nothing to serve: channels\.sms\.authToken names TWILIO_AUTH_TOKEN/,
    );
    p.db.close();
  });
});
