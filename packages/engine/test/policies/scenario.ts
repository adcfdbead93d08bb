import fc from "fast-check";
import { DateTime } from "luxon";
import type { ChannelName } from "@patron/channels";
import type { CouponConfig, FrequencyCap, MessagePurpose, QuietHours } from "@patron/config";
import type { CheckEnvironment } from "@patron/dsl";
import { ENGINE_TEST_ENV } from "../support/campaigns.js";

/*
 * Random worlds for the policy property tests: members (consents, addresses, time zones across
 * the date line and invalid ones), campaigns (holdout, limit, priority, variants, coupons, via
 * lists), patron.yaml policies (frequency cap, quiet hours, message purposes, coupon caps) and a
 * clock (runs on consecutive days, opt-outs between them). Everything here is plain data, so a
 * failing case prints as a readable counterexample; world.ts plays it against a real store.
 */

export const CHANNELS: readonly ChannelName[] = ["sms", "email", "wechat"];
/** The messages of the test business: every one has a template on every channel. */
export const MESSAGES = ["offer", "offer-b", "notice", "coupon-a", "coupon-b"] as const;
export type MessageName = (typeof MESSAGES)[number];

/** GIFT-A is also the coupon `for brand "Pantene"`. */
export const COUPON_NAMES = ["GIFT-A", "GIFT-B"] as const;
export type CouponName = (typeof COUPON_NAMES)[number];
export const COUPON_MESSAGE: Readonly<Record<CouponName, MessageName>> = { "GIFT-A": "coupon-a", "GIFT-B": "coupon-b" };

export const POLICY_ENV: CheckEnvironment = {
  ...ENGINE_TEST_ENV,
  messages: MESSAGES.map((name) => ({ name, channels: [...CHANNELS] })),
  coupons: [
    { name: "GIFT-A", brand: "Pantene", message: "coupon-a" },
    { name: "GIFT-B", message: "coupon-b" },
  ],
};

/** Valid member zones on both sides of the date line, plus ones that must fall back to the business zone. */
export const VALID_ZONES = ["Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"] as const;
export const INVALID_ZONES = ["Mars/Olympus_Mons", "", null] as const;
export const BUSINESS_ZONES = ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"] as const;

export type AddressKind = "none" | "blank" | "ok" | "padded";
export type Consent = boolean | null;

export interface MemberSpec {
  readonly id: string;
  /** null: a template that needs the name fails for this member (offer-b, coupon-b). */
  readonly name: string | null;
  readonly tier: "silver" | "gold" | "platinum" | "diamond" | null;
  readonly timezone: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wechat: string | null;
  readonly consent: Readonly<Record<ChannelName, Consent>>;
}

export type MessageChoice = readonly { readonly name: MessageName; readonly percent: number }[];

export type SendSpec =
  | { readonly kind: "message"; readonly messages: MessageChoice; readonly via: readonly ChannelName[] }
  | { readonly kind: "coupon"; readonly coupon: CouponName; readonly byBrand: boolean; readonly via: readonly ChannelName[] };

export interface CampaignSpec {
  readonly id: string;
  readonly holdout: number;
  /** At most `times` per member within `days` days (lifetime when absent). */
  readonly limit?: { readonly times: number; readonly days?: number };
  readonly priority: number;
  readonly minTier: "silver" | "gold";
  /**
   * Each run instant is a slot of its own (as for a campaign scheduled at each of them); otherwise
   * the slot is the business day (chooseSlot for a campaign run by hand), so a second run on the
   * same business day adds nothing.
   */
  readonly slotPerRun: boolean;
  readonly sends: readonly SendSpec[];
}

export interface OptOutSpec {
  /** Recorded just before this run (runs.length: after the last). */
  readonly beforeRun: number;
  readonly member: number;
  readonly channel: ChannelName;
  readonly action: "opt-out" | "opt-in";
}

export interface CouponSpec {
  readonly name: CouponName;
  readonly cap?: number;
  readonly alphabet: string;
  readonly length: number;
  readonly prefix: string;
}

export interface Scenario {
  readonly businessZone: string;
  readonly frequencyCap?: FrequencyCap;
  readonly quietHours?: QuietHours;
  readonly purposes: Readonly<Record<MessageName, MessagePurpose>>;
  readonly coupons: readonly CouponSpec[];
  readonly members: readonly MemberSpec[];
  readonly campaigns: readonly CampaignSpec[];
  /** As-of instants of the runs, ascending (ISO text, for readable counterexamples). */
  readonly runs: readonly string[];
  readonly optOuts: readonly OptOutSpec[];
}

// ---------------------------------------------------------------- members

const consent: fc.Arbitrary<Consent> = fc.constantFrom<Consent>(true, true, true, false, null);
const addressKind: fc.Arbitrary<AddressKind> = fc.constantFrom<AddressKind>("ok", "ok", "ok", "padded", "none", "none", "blank");

function address(kind: AddressKind, value: string): string | null {
  if (kind === "none") return null;
  if (kind === "blank") return "   ";
  return kind === "padded" ? ` ${value} ` : value;
}

const MEMBER_IDS = ["m01", "m02", "会员-3", "m04", "m05", "x6", "m07", "m08", "m09", "m10", "m11", "m12", "m13", "m14"];

export function members(max: number): fc.Arbitrary<MemberSpec[]> {
  const shape = fc.record({
    named: fc.constantFrom(true, true, true, true, true, false),
    tier: fc.constantFrom("silver" as const, "gold" as const, "platinum" as const, "diamond" as const, null),
    timezone: fc.constantFrom<string | null>(...VALID_ZONES, ...VALID_ZONES, ...INVALID_ZONES),
    phone: addressKind,
    email: addressKind,
    wechat: addressKind,
    sms: consent,
    emailConsent: consent,
    wechatConsent: consent,
  });
  return fc.array(shape, { minLength: 1, maxLength: max }).map((shapes) =>
    shapes.map((s, i) => {
      const id = MEMBER_IDS[i] ?? `m${i + 1}`;
      const n = String(i + 1).padStart(2, "0");
      return {
        id,
        name: s.named ? `name-${n}` : null,
        tier: s.tier,
        timezone: s.timezone,
        phone: address(s.phone, `+8613800000${n}`),
        email: address(s.email, `member${n}@example.com`),
        wechat: address(s.wechat, `oWX-${n}`),
        consent: { sms: s.sms, email: s.emailConsent, wechat: s.wechatConsent },
      };
    }),
  );
}

// ---------------------------------------------------------------- campaigns

const via = fc.shuffledSubarray([...CHANNELS], { minLength: 1, maxLength: 3 });

const messageChoice: fc.Arbitrary<MessageChoice> = fc.oneof(
  fc.constantFrom<MessageName>("offer", "offer-b", "notice").map((name) => [{ name, percent: 100 }]),
  fc
    .record({ first: fc.integer({ min: 1, max: 99 }), other: fc.constantFrom<MessageName>("offer-b", "notice") })
    .map(({ first, other }) => [
      { name: "offer" as const, percent: first },
      { name: other, percent: 100 - first },
    ]),
);

const send: fc.Arbitrary<SendSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("message" as const), messages: messageChoice, via }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("coupon" as const), coupon: fc.constantFrom(...COUPON_NAMES), byBrand: fc.boolean(), via }),
  },
);

const CAMPAIGN_IDS = ["spring-offer", "vip-care", "回访", "winback"];

export function campaigns(max: number): fc.Arbitrary<CampaignSpec[]> {
  const one = fc.record(
    {
      holdout: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 })),
      limit: fc.option(
        fc.record(
          { times: fc.constantFrom(1, 2, 3), days: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) },
          { requiredKeys: ["times"] },
        ),
        { nil: undefined },
      ),
      priority: fc.integer({ min: 0, max: 3 }),
      minTier: fc.constantFrom("silver" as const, "gold" as const),
      slotPerRun: fc.boolean(),
      sends: fc.array(send, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ["holdout", "priority", "minTier", "slotPerRun", "sends"] },
  );
  return fc.array(one, { minLength: 1, maxLength: max }).map((cs) =>
    cs.map((c, i) => {
      const { limit, ...rest } = c;
      return { id: CAMPAIGN_IDS[i] ?? `c${i}`, ...rest, ...(limit ? { limit: dropUndefined(limit) } : {}) };
    }),
  );
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The campaign as a marketer writes it; it goes through the real parser and checker. */
export function campaignText(c: CampaignSpec): string {
  const limit = c.limit
    ? `  limit ${c.limit.times === 1 ? "once" : c.limit.times === 2 ? "twice" : `${c.limit.times} times`} per member${
        c.limit.days === undefined ? "" : ` every ${plural(c.limit.days, "day")}`
      }\n`
    : "";
  const actions = c.sends.map((s) => {
    const channels = s.via.join(" or ");
    if (s.kind === "coupon")
      return `send coupon ${s.byBrand && s.coupon === "GIFT-A" ? 'for brand "Pantene"' : `"${s.coupon}"`} via ${channels}`;
    const message =
      s.messages.length === 1 ? `"${s.messages[0]?.name}"` : `(${s.messages.map((m) => `"${m.name}" ${m.percent}%`).join(", ")})`;
    return `send message ${message} via ${channels}`;
  });
  return [
    `campaign "${c.id}" {`,
    `  holdout ${c.holdout}%`,
    ...(limit ? [limit.trimEnd()] : []),
    `  priority ${c.priority}`,
    `  when tier >= ${c.minTier}, ${actions.join(" and ")}`,
    "}",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------- policies

const timeOfDay = fc.oneof(
  fc.constantFrom(
    { hour: 21, minute: 0 },
    { hour: 9, minute: 0 },
    { hour: 22, minute: 30 },
    { hour: 8, minute: 30 },
    { hour: 0, minute: 0 },
  ),
  // The US spring-forward gap (02:00–03:00 does not exist on 8 March 2026 in New York).
  fc.constantFrom({ hour: 2, minute: 30 }, { hour: 1, minute: 30 }),
  fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.constantFrom(0, 15, 30, 59) }),
);

export const quietHours: fc.Arbitrary<QuietHours> = fc
  .record({ from: timeOfDay, until: timeOfDay })
  .filter(({ from, until }) => from.hour !== until.hour || from.minute !== until.minute);

export const frequencyCap: fc.Arbitrary<FrequencyCap> = fc.record({
  messages: fc.integer({ min: 1, max: 3 }),
  days: fc.integer({ min: 1, max: 7 }),
});

const purposes: fc.Arbitrary<Record<MessageName, MessagePurpose>> = fc.record(
  Object.fromEntries(MESSAGES.map((m) => [m, fc.constantFrom<MessagePurpose>("marketing", "marketing", "service")])) as Record<
    MessageName,
    fc.Arbitrary<MessagePurpose>
  >,
);

/**
 * The two coupons' codes: sometimes a tiny code space shared by both (same prefix, 2^6 codes)
 * so draws clash often and uniqueness across coupons is exercised; the caps then keep the
 * codes issued far below the space (50 tries per code must find a free one).
 */
const couponSpecs: fc.Arbitrary<CouponSpec[]> = fc
  .record({
    capA: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    capB: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    tiny: fc.boolean(),
    samePrefix: fc.boolean(),
  })
  .map(({ capA, capB, tiny, samePrefix }) => {
    const small = tiny && capA !== undefined && capB !== undefined;
    const code = small ? { alphabet: "AB", length: 6 } : { alphabet: "AB2C", length: 8 };
    return [
      { name: "GIFT-A" as const, ...(capA === undefined ? {} : { cap: capA }), ...code, prefix: "G-" },
      { name: "GIFT-B" as const, ...(capB === undefined ? {} : { cap: capB }), ...code, prefix: small || samePrefix ? "G-" : "B-" },
    ];
  });

export function couponConfigs(specs: readonly CouponSpec[]): CouponConfig[] {
  return specs.map((s) => ({
    name: s.name,
    ...(s.name === "GIFT-A" ? { brand: "Pantene" } : {}),
    value: `${s.name} value`,
    message: COUPON_MESSAGE[s.name],
    validDays: 14,
    codes: { kind: "generated", alphabet: s.alphabet, length: s.length, prefix: s.prefix },
    ...(s.cap === undefined ? {} : { cap: s.cap }),
  }));
}

// ---------------------------------------------------------------- clocks

/** Days around the edges: US daylight-saving changes, the turn of a year, an ordinary day. */
const START_DAYS = ["2026-03-07", "2026-03-08", "2026-10-31", "2026-11-01", "2026-12-31", "2026-06-15"] as const;
const HOUR = 3_600_000;

/** 1–`max` run instants: the first on a start day, then gaps of an hour to three days. */
export function runClock(max: number): fc.Arbitrary<string[]> {
  const gap = fc.oneof(
    fc.constantFrom(1, 3, 8, 12, 23, 24, 24, 25, 48, 72).map((h) => h * HOUR),
    fc.integer({ min: 1, max: 72 * 60 }).map((m) => m * 60_000),
  );
  return fc
    .record({
      day: fc.constantFrom(...START_DAYS),
      minute: fc.integer({ min: 0, max: 48 * 60 - 1 }),
      gaps: fc.array(gap, { minLength: 0, maxLength: max - 1 }),
    })
    .map(({ day, minute, gaps }) => {
      let at = DateTime.fromISO(day, { zone: "UTC" }).toMillis() + minute * 60_000;
      const out = [at];
      for (const g of gaps) out.push((at += g));
      return out.map((t) => new Date(t).toISOString());
    });
}

export interface ScenarioSize {
  readonly members: number;
  readonly campaigns: number;
  readonly runs: number;
  /** Generated policies: each may be forced on. */
  readonly cap?: "maybe" | "always";
  readonly quiet?: "maybe" | "always";
}

export function scenario(size: ScenarioSize): fc.Arbitrary<Scenario> {
  const maybe = <T>(arb: fc.Arbitrary<T>, how: "maybe" | "always" | undefined): fc.Arbitrary<T | undefined> =>
    how === "always" ? arb : fc.option(arb, { nil: undefined, freq: 3 });
  return fc
    .record({
      businessZone: fc.constantFrom(...BUSINESS_ZONES),
      frequencyCap: maybe(frequencyCap, size.cap),
      quietHours: maybe(quietHours, size.quiet),
      purposes,
      coupons: couponSpecs,
      members: members(size.members),
      campaigns: campaigns(size.campaigns),
      runs: runClock(size.runs),
    })
    .chain((s) =>
      fc
        .array(
          fc.record({
            beforeRun: fc.integer({ min: 0, max: s.runs.length }),
            member: fc.integer({ min: 0, max: s.members.length - 1 }),
            channel: fc.constantFrom(...CHANNELS),
            action: fc.constantFrom<"opt-out" | "opt-in">("opt-out", "opt-out", "opt-in"),
          }),
          { maxLength: 5 },
        )
        .map((optOuts) => dropUndefined({ ...s, optOuts }) as Scenario),
    );
}
