import { readFileSync } from "node:fs";
import type { CouponConfig, PatronConfig } from "@patron/config";
import type { MemberValue, MessageContext } from "./context.js";
import type { MessageSend } from "./sends.js";
import { memberFields } from "./variables.js";

/*
 * A representative member for measuring an SMS (docs/templates.md, "SMS length"): every variable
 * has a value of a typical length, and where patron.yaml lists the possible values (tiers, a
 * field's values), the longest of them, so a text that fits here fits for (almost) every member.
 */

const SAMPLE_DATE = "2026-12-22"; // two-digit month and day: the longest a date reads
const SAMPLE_NOW = "2026-12-12T10:00:00"; // ten days before it, for daysLeft
const CANONICAL_SAMPLES: Readonly<Record<string, MemberValue>> = {
  id: "M00012345",
  email: "member@example.com",
  wechat_openid: "oAbCdEfGhIjKlMnOpQrStUvWxYz0",
  points: 12345,
  birthday: "1990-12-22",
  age: 35,
  joined_at: Date.parse("2024-12-22T02:00:00Z"),
  consent_sms: true,
  consent_email: true,
  consent_wechat: true,
  referred_by: "M00054321",
};

/**
 * `coupon`: the coupon the message carries, when it carries one (a message named by several
 * coupons is measured once with each: a long code and a long value come from the same coupon).
 */
export function sampleContext(config: PatronConfig, message: string, sends: readonly MessageSend[], coupon?: CouponConfig): MessageContext {
  const cn = config.region === "cn";
  const member: Record<string, MemberValue> = {
    ...CANONICAL_SAMPLES,
    name: cn ? "王小明" : "Alex Morgan",
    city: cn ? "哈尔滨" : "San Francisco",
    phone: cn ? "+8613812345678" : "+14155550123",
    tier: longest(config.tiers) ?? "gold",
    timezone: config.timezone,
  };
  for (const field of memberFields(config)) {
    if (member[field.name] !== undefined) continue;
    if (field.values && field.values.length > 0) member[field.name] = longest(field.values);
    else if (field.type === "number") member[field.name] = 12345;
    else if (field.type === "date") member[field.name] = SAMPLE_DATE;
    else if (field.type === "boolean") member[field.name] = false;
    else member[field.name] = "ABCD1234";
  }
  const mine = sends.filter((s) => s.message === message);
  const awards = mine.flatMap((s) => (s.award === undefined ? [] : [s.award]));
  const unsubscribe = config.channels.email?.unsubscribeUrl;
  return {
    member: { ...member, id: String(member["id"]) },
    points: 12345,
    expiringPoints: 1500,
    expiresOn: SAMPLE_DATE,
    awardedPoints: awards.length > 0 ? Math.max(...awards) : 500,
    coupon: {
      code: coupon ? sampleCode(coupon) : "ABCD2345",
      value: coupon?.value ?? (cn ? "20元" : "$20 off"),
      name: coupon?.name ?? "COUPON-20",
      expiresOn: SAMPLE_DATE,
    },
    ...(unsubscribe !== undefined && { unsubscribeUrl: `${unsubscribe}?m=M00012345&t=${"x".repeat(32)}` }),
    campaign: { name: longest(mine.map((s) => s.campaign.id)) ?? message },
    now: SAMPLE_NOW,
  };
}

/** The longest code a coupon can have: a generated one at full length, or the longest in its pool. */
function sampleCode(coupon: CouponConfig): string {
  const codes = coupon.codes;
  if (codes.kind === "generated") {
    const alphabet = [...codes.alphabet];
    return codes.prefix + Array.from({ length: codes.length }, (_, i) => alphabet[i % alphabet.length] ?? "X").join("");
  }
  try {
    const lines = readFileSync(codes.file, "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    return longest(lines) ?? "ABCD2345";
  } catch {
    return "ABCD2345";
  }
}

/** The longest of the values (the first of equally long ones), counting characters as an SMS does. */
function longest(values: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const v of values) if (best === undefined || v.length > best.length) best = v;
  return best;
}
