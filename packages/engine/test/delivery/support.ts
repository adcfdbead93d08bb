import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Channel, ChannelName, LookupResult, OutgoingMessage, SendResult } from "@patron/channels";
import type { CouponConfig } from "@patron/config";
import type { CampaignDefinition, ScheduleNode } from "@patron/dsl";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import type { ChannelContent, RenderFn, SuppressReason } from "../../src/plan/decide.js";
import { emptyFunnel, type Funnel } from "../../src/plan/funnel.js";
import type { PlanInput } from "../../src/plan/plan-run.js";
import { planRun, type PlanRunResult } from "../../src/runs/run.js";
import { openStore, type Db } from "../../src/store/store.js";
import { checkCampaign, ENGINE_TEST_ENV } from "../support/campaigns.js";
import { addMember, instant, memoryStore, type MemberInput } from "../support/store.js";

/*
 * Helpers for the delivery tests: campaigns checked against ENGINE_TEST_ENV, a RenderFn written
 * here (so every rendered body is known by hand), the planning input around them, outbox rows
 * read back as plain objects, a scripted in-memory Channel that records every call, and the pid
 * of a process that has exited.
 */

export const ZONE = "Asia/Shanghai";
/** Saturday 5 December 2026, 09:30 in Shanghai (01:30 UTC): the as-of of the planning tests. */
export const AS_OF = instant("2026-12-05T09:30", ZONE);
/** The slot of that run: the same instant (every day at 09:30). */
export const SLOT = AS_OF;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The coupons ENGINE_TEST_ENV names, as patron.yaml would configure them. */
export const COUPONS: readonly CouponConfig[] = [
  {
    name: "HS-20",
    brand: "Head & Shoulders",
    value: "20 off",
    message: "coupon-issued",
    codes: { kind: "generated", alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", length: 8, prefix: "HS-" },
  },
  {
    name: "WINBACK-50",
    value: "50 off 300",
    message: "coupon-issued",
    validDays: 30,
    codes: { kind: "generated", alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", length: 8, prefix: "WB-" },
  },
];

/** One campaign, checked against ENGINE_TEST_ENV (the checker fails the test on any error). */
export function campaign(text: string): CampaignDefinition {
  return checkCampaign(text).campaign;
}

/** The schedule node of `schedule …` as the checker hands it on. */
export function scheduleOf(schedule: string): ScheduleNode {
  const c = campaign(`campaign "s" {\n  schedule ${schedule}\n  when tier >= gold, send message "welcome" via sms\n}\n`);
  if (!c.schedule) throw new Error(`no schedule in: ${schedule}`);
  return c.schedule;
}

/**
 * The test templates: sms `hi <name>` (with the message and, for coupons, the code's value),
 * email with a subject, wechat with template data. Every value is visible in the outbox content.
 */
export const render: RenderFn = (member, message, channel, extras) => {
  const extra = [
    extras.coupon
      ? ` coupon ${extras.coupon.name} (${extras.coupon.value}) ${extras.coupon.code} until ${extras.coupon.expiresAt ?? "none"}`
      : "",
    extras.awardedPoints !== undefined ? ` +${extras.awardedPoints} points` : "",
    member.expiring ? ` expiring ${member.expiring.points} first ${member.expiring.firstExpiry ?? "none"}` : "",
  ].join("");
  return renderFor(channel, message, `hi ${member.name ?? member.id}${extra}`);
};

export function renderFor(channel: ChannelName, message: string, text: string): ChannelContent {
  if (channel === "sms") return { channel, body: `[${message}] ${text}` };
  if (channel === "email") return { channel, subject: `${message}`, text };
  return { channel, templateId: `tpl-${message}`, data: { first: text } };
}

/** A planning input for the test business at AS_OF. */
export function planInput(db: Db, c: CampaignDefinition, overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    db,
    config: {
      coupons: COUPONS,
      timezone: ZONE,
      messages: ENGINE_TEST_ENV.messages.map((m) => ({ name: m.name, purpose: "marketing" as const })),
    },
    campaign: c,
    audience: { env: ENGINE_TEST_ENV, segments: new Map(), asOf: AS_OF },
    render,
    needsExpiring: false,
    ...overrides,
  };
}

/** A funnel written with only its non-zero counts (every other reason and channel is 0). */
export function funnelOf(
  audience: number,
  suppressed: Partial<Record<SuppressReason, number>>,
  planned: Partial<Record<ChannelName, number>>,
): Funnel {
  const funnel = emptyFunnel(audience);
  Object.assign(funnel.suppressed, suppressed);
  Object.assign(funnel.planned, planned);
  return funnel;
}

// ---- the welcome campaign and its members ----

export const FILE = "campaigns/welcome-gold.campaign";
export const WELCOME_GOLD = campaign(`campaign "welcome-gold" {
  schedule every day at 09:30
  when tier >= gold, send message "welcome" via sms or email
}
`);

/**
 * The reachability cases, each named for what it tests. In the audience (tier >= gold): all but
 * m08. Expected: sms m01 m09 m11; email m02 m05 m07; no-address m04 m10; no-consent m03 m06 m12.
 */
export const WELCOME_MEMBERS: readonly MemberInput[] = [
  // sms consent and a phone (also email: sms is first in `via sms or email`)
  { id: "m01", name: "Ada", tier: "gold", phone: "13800000001", consent_sms: true, email: "ada@example.com", consent_email: true },
  // phone without sms consent: falls back to email
  { id: "m02", name: "Bo", tier: "gold", phone: "13800000002", consent_sms: false, email: "bo@example.com", consent_email: true },
  // phone, consent unknown (NULL), no email: no consent
  { id: "m03", name: "Cy", tier: "gold", phone: "13800000003" },
  // no address on either listed channel (WeChat is not listed)
  { id: "m04", name: "Di", tier: "platinum", wechat_openid: "oDi000000000000", consent_wechat: true },
  // email only
  { id: "m05", name: "Ed", tier: "diamond", email: "ed@example.com", consent_email: true },
  // sms consent, opted out of sms since, nothing else
  { id: "m06", name: "Fay", tier: "gold", phone: "13800000006", consent_sms: true },
  // opted out of sms, has email: falls back to email
  { id: "m07", name: "Gus", tier: "gold", phone: "13800000007", consent_sms: true, email: "gus@example.com", consent_email: true },
  // not in the audience
  { id: "m08", name: "Hal", tier: "silver", phone: "13800000008", consent_sms: true },
  // a phone with spaces around it: the address is trimmed
  { id: "m09", name: "Ivy", tier: "gold", phone: "  13800000009 ", consent_sms: true },
  // blank phone and empty email: no address at all
  { id: "m10", name: "Jo", tier: "gold", phone: "   ", consent_sms: true, email: "", consent_email: true },
  // opted out of sms, then back in
  { id: "m11", name: "Kit", tier: "gold", phone: "13800000011", consent_sms: true },
  // email without consent, no phone
  { id: "m12", name: "Lu", tier: "gold", email: "lu@example.com", consent_email: false },
];

export function welcomeStore(): Db {
  const db = memoryStore();
  for (const m of WELCOME_MEMBERS) addMember(db, m);
  recordOptOut(db, { memberId: "m06", channel: "sms", action: "opt-out", source: "inbound", detail: "TD", at: AS_OF - DAY });
  recordOptOut(db, { memberId: "m07", channel: "sms", action: "opt-out", source: "provider", at: AS_OF - DAY });
  recordOptOut(db, { memberId: "m11", channel: "sms", action: "opt-out", source: "inbound", at: AS_OF - 2 * DAY });
  recordOptOut(db, { memberId: "m11", channel: "sms", action: "opt-in", source: "operator", at: AS_OF - DAY });
  return db;
}

export const EXPECTED_FUNNEL = funnelOf(11, { "no-address": 2, "no-consent": 3 }, { sms: 3, email: 3 });

export interface OutboxRecord {
  id: number;
  run_id: number;
  member_id: string;
  action: number;
  decision: string;
  channel: string | null;
  message: string | null;
  address: string | null;
  content: string | null;
  state: string;
  not_before: number;
  attempts: number;
  claimed_by: string | null;
  claimed_at: number | null;
  provider: string | null;
  provider_id: string | null;
  error_code: string | null;
  error: string | null;
  sent_at: number | null;
}

export function outboxRows(db: Db, where = "1 = 1", ...params: unknown[]): OutboxRecord[] {
  return db.prepare(`SELECT * FROM outbox WHERE ${where} ORDER BY run_id, member_id, action`).all(...params) as OutboxRecord[];
}

export function outboxRow(db: Db, memberId: string, action = 0): OutboxRecord {
  const row = db.prepare("SELECT * FROM outbox WHERE member_id = ? AND action = ?").get(memberId, action) as OutboxRecord | undefined;
  if (!row) throw new Error(`no outbox row for ${memberId}/${action}`);
  return row;
}

export function count(db: Db, sql: string, ...params: unknown[]): number {
  return Number(
    db
      .prepare(sql)
      .pluck()
      .get(...params),
  );
}

// ---- a scripted channel ----

export interface SendCall {
  readonly key: string;
  readonly to: string;
  readonly message: OutgoingMessage;
  /** Which attempt of this key this is at the channel, from 1. */
  readonly attempt: number;
  /** performance.now() when send() was entered, and Date.now(). */
  readonly startedAt: number;
  readonly wallAt: number;
}

export type Script = (message: OutgoingMessage, attempt: number) => SendResult | undefined;

export interface ScriptedChannelOptions {
  readonly name: ChannelName;
  readonly provider?: string;
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  readonly idempotent?: boolean;
  readonly idempotentForMs?: number;
  /** How long each send takes (ms); 0 answers on the next microtask. */
  readonly sendMs?: number | (() => number);
  /** The result per call; undefined (or no script) is success with providerId `<provider>-<key>`. */
  readonly script?: Script;
  readonly lookup?: (message: OutgoingMessage, since: Date) => LookupResult;
  /** Shared between channels (e.g. two dispatchers' copies of one provider). */
  readonly log?: SendCall[];
}

export interface ScriptedChannel extends Channel {
  readonly calls: SendCall[];
  readonly lookups: { readonly key: string; readonly since: Date }[];
  /** The most sends ever in flight at once. */
  readonly maxInFlight: number;
}

export function scriptedChannel(options: ScriptedChannelOptions): ScriptedChannel {
  const provider = options.provider ?? `scripted-${options.name}`;
  const calls = options.log ?? [];
  const lookups: { key: string; since: Date }[] = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const channel: ScriptedChannel = {
    name: options.name,
    provider,
    concurrency: options.concurrency ?? 1,
    ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
    idempotent: options.idempotent ?? false,
    ...(options.idempotentForMs === undefined ? {} : { idempotentForMs: options.idempotentForMs }),
    calls,
    lookups,
    get maxInFlight() {
      return maxInFlight;
    },
    async send(message) {
      const attempt = (attempts.get(message.key) ?? 0) + 1;
      attempts.set(message.key, attempt);
      calls.push({ key: message.key, to: message.to, message, attempt, startedAt: performance.now(), wallAt: Date.now() });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const ms = typeof options.sendMs === "function" ? options.sendMs() : (options.sendMs ?? 0);
        await (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
        return options.script?.(message, attempt) ?? { ok: true, providerId: `${provider}-${message.key}` };
      } finally {
        inFlight--;
      }
    },
    async close() {},
  };
  if (options.lookup) {
    const answer = options.lookup;
    return Object.assign(channel, {
      async lookup(message: OutgoingMessage, since: Date): Promise<LookupResult> {
        lookups.push({ key: message.key, since });
        return answer(message, since);
      },
    });
  }
  return channel;
}

export function channelMap(...channels: Channel[]): Map<ChannelName, Channel> {
  return new Map(channels.map((c) => [c.name, c]));
}

/** A deterministic `random` for backoff: a linear congruential sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

// ---- processes and files ----

/** The pid of a process that has exited (a `node -e ""` child, waited for). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start node -e");
  await new Promise<void>((resolve, reject) => {
    child.once("exit", () => resolve());
    child.once("error", reject);
  });
  return pid;
}

/** A fresh temporary folder, and its removal. */
export function tempDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "patron-delivery-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Runs `fn` with two connections to one new store file (as two processes would have), then closes
 * both and deletes the file's folder.
 */
export async function twoConnections<T>(fn: (one: Db, two: Db) => T | Promise<T>): Promise<T> {
  const dir = tempDir();
  const file = join(dir.path, "patron.db");
  const one = openStore(file);
  const two = openStore(file);
  try {
    return await fn(one, two);
  } finally {
    one.close();
    two.close();
    dir.remove();
  }
}

// ---- an outbox to dispatch ----

/** Every channel, in that order of preference: members with one address each get that channel. */
export const ALL_CHANNELS = campaign(
  'campaign "all-channels" {\n  when tier >= gold, send message "welcome" via sms or email or wechat\n}\n',
);

/** Member ids of a channel: s01…, e01…, w01… (ascending, as the audience orders them). */
export function memberIds(prefix: "s" | "e" | "w", n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);
}

/** Adds n gold members reachable only by sms (s01…), email (e01…) or wechat (w01…). */
export function addReachable(db: Db, counts: { readonly sms?: number; readonly email?: number; readonly wechat?: number }): void {
  db.transaction(() => {
    for (const id of memberIds("s", counts.sms ?? 0))
      addMember(db, { id, name: id, tier: "gold", phone: `1380000${id.slice(1)}00`, consent_sms: true });
    for (const id of memberIds("e", counts.email ?? 0))
      addMember(db, { id, name: id, tier: "gold", email: `${id}@example.com`, consent_email: true });
    for (const id of memberIds("w", counts.wechat ?? 0))
      addMember(db, { id, name: id, tier: "gold", wechat_openid: `o${id}openid`, consent_wechat: true });
  })();
}

/** Plans `c` at `slot`, the slot being the run's as-of too. */
export function planSlot(db: Db, c: CampaignDefinition, slot: number, overrides: Partial<PlanInput> = {}): PlanRunResult {
  const input = planInput(db, c, overrides);
  return planRun({ ...input, audience: { ...input.audience, asOf: slot } }, slot, `campaigns/${c.id}.campaign`);
}

/**
 * Everything a planning leaves — outbox rows (without ids), coupon codes, point lots, runs — with
 * each coupon code (matching `codes`, drawn at random) replaced by its member, so two plannings
 * of the same slot compare equal.
 */
export function plannedOutcome(db: Db, codes: RegExp) {
  const members = new Map(db.prepare("SELECT code, member_id FROM coupon_codes").raw().all() as [string, string][]);
  const unrandom = (text: string | null) => text?.replace(codes, (code) => `<code of ${members.get(code) ?? "nobody"}>`) ?? null;
  return {
    outbox: (db.prepare("SELECT * FROM outbox ORDER BY run_id, member_id, action").all() as { id: number; content: string | null }[]).map(
      ({ id: _id, content, ...row }) => ({ ...row, content: unrandom(content) }),
    ),
    coupons: db.prepare("SELECT coupon, member_id, run_id, issued_at, expires_at FROM coupon_codes ORDER BY member_id").all(),
    lots: db.prepare("SELECT member_id, points, earned_at, expires_at, source FROM point_lots ORDER BY member_id").all(),
    runs: db.prepare("SELECT campaign, slot, as_of, state, audience FROM runs").all(),
  };
}

/**
 * `db`, calling `then` once just after the first `all()` of a statement whose SQL matches `sql`:
 * what another process does between two reads (or after one) of the code under test.
 */
export function afterFirstRead(db: Db, sql: RegExp, then: () => void): Db {
  let done = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (source: string) => {
          const statement = target.prepare(source);
          if (done || !sql.test(source.trim())) return statement;
          return new Proxy(statement, {
            get(inner, name) {
              if (name !== "all") return Reflect.get(inner, name, inner) as unknown;
              return (...params: unknown[]) => {
                const rows = inner.all(...params);
                if (!done) {
                  done = true;
                  then();
                }
                return rows;
              };
            },
          });
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
