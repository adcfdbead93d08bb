import { CANONICAL_FIELDS, type CheckEnvironment } from "../../src/index.js";

/** The business the checker tests are written for: a beauty chain with four tiers. */
export const TEST_ENV: CheckEnvironment = {
  tiers: ["silver", "gold", "platinum", "diamond"],
  fields: [
    ...CANONICAL_FIELDS,
    { name: "vip_store", type: "string" },
    { name: "skin_type", type: "string", values: ["dry", "oily", "combination", "sensitive"] },
    { name: "lifetime_spend", type: "number" },
  ],
  channels: ["sms", "email", "wechat"],
  messages: [
    { name: "points-expiry", channels: ["wechat", "email"] },
    { name: "birthday", channels: ["wechat", "sms"] },
    { name: "thanks-referral", channels: ["sms"] },
    { name: "upgrade-nudge", channels: ["email"] },
    { name: "upgrade-nudge-short", channels: ["email"] },
    { name: "welcome", channels: ["sms"] },
    { name: "coupon-issued", channels: ["sms", "wechat"] },
  ],
  coupons: [
    { name: "HS-20", brand: "Head & Shoulders", message: "coupon-issued" },
    { name: "B-10", brand: "B", message: "coupon-issued" },
    { name: "WINBACK-50", message: "coupon-issued" },
  ],
  timezone: "Asia/Shanghai",
};

export const TEST_SEGMENTS = `segment lapsed_vip = tier >= platinum and not bought anything within 90 days
segment new_member = joined within 30 days
`;
