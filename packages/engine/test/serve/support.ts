import { createHash, createHmac } from "node:crypto";
import type { ChannelName } from "@patron/channels";
import type { Db } from "../../src/store/store.js";

/*
 * Helpers for the webhook tests: sent outbox rows to report on, the provider signatures computed
 * here from the providers' documented algorithms (not by the code under test), and a snapshot of
 * every table a webhook may change, to assert that a refused request changed nothing.
 */

export const AUTH_TOKEN = "twilio-auth-token-0123456789abcdef";
export const WECHAT_TOKEN = "wechat-server-token";
export const STATUS_URL = "https://hooks.example.com/twilio/status";
export const INBOUND_URL = "https://hooks.example.com/twilio/inbound";
export const NOW = Date.parse("2026-12-05T02:00:00Z");

let runs = 0;

/** An outbox row the dispatcher marked sent through `provider` under `providerId`. */
export function addSent(
  db: Db,
  row: { memberId: string; channel: ChannelName; provider: string; providerId: string; address: string },
): number {
  const runId = Number(
    db
      .prepare("INSERT INTO runs (campaign, slot, as_of, file, state, started_at) VALUES (?, ?, ?, ?, 'planned', ?)")
      .run(`c${++runs}`, NOW, NOW, "c.campaign", NOW).lastInsertRowid,
  );
  return Number(
    db
      .prepare(
        `INSERT INTO outbox (run_id, member_id, decision, channel, message, address, content, state, provider, provider_id, sent_at)
         VALUES (?, ?, 'send', ?, 'hello', ?, '{}', 'sent', ?, ?, ?)`,
      )
      .run(runId, row.memberId, row.channel, row.address, row.provider, row.providerId, NOW).lastInsertRowid,
  );
}

export function outboxDelivery(db: Db, id: number): { delivery: string | null; error_code: string | null; state: string } {
  return db.prepare("SELECT delivery, error_code, state FROM outbox WHERE id = ?").get(id) as {
    delivery: string | null;
    error_code: string | null;
    state: string;
  };
}

export function optOutLog(
  db: Db,
): { member_id: string | null; channel: string; address: string | null; action: string; source: string; detail: string | null }[] {
  return db.prepare("SELECT member_id, channel, address, action, source, detail FROM opt_outs ORDER BY id").all() as ReturnType<
    typeof optOutLog
  >;
}

export function currentOptOuts(db: Db): string[] {
  return (
    db.prepare("SELECT member_id, channel FROM opt_out_current ORDER BY member_id, channel").all() as {
      member_id: string;
      channel: string;
    }[]
  ).map((r) => `${r.member_id}:${r.channel}`);
}

/** Every row a webhook may touch, as text: equal snapshots mean nothing changed. */
export function snapshot(db: Db): string {
  return JSON.stringify(
    ["outbox", "opt_outs", "opt_out_current", "members"].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()),
  );
}

/** X-Twilio-Signature as Twilio documents it: base64 HMAC-SHA1 of the URL and each sorted name+value. */
export function twilioSign(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac("sha1", token).update(data, "utf8").digest("base64");
}

/** A signed Twilio webhook. */
export function twilioRequest(
  url: string,
  params: Record<string, string>,
): { url: string; signature: string; params: Record<string, string> } {
  return { url, signature: twilioSign(url, params), params };
}

/** WeChat's signature query: SHA-1 hex of token, timestamp and nonce sorted and joined. */
export function wechatQuery(
  token = WECHAT_TOKEN,
  timestamp = "1764900000",
  nonce = "483920",
): { signature: string; timestamp: string; nonce: string } {
  const signature = createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
  return { signature, timestamp, nonce };
}

/** A WeChat push body with these fields (values in CDATA except numbers). */
export function wechatXml(fields: Record<string, string>): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => (/^\d+$/.test(v) ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`))
    .join("\n");
  return `<xml>\n${inner}\n</xml>`;
}
