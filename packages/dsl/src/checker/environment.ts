/**
 * What the checker knows about the business a campaign is written for. The CLI builds it from
 * patron.yaml (see @patron/config); tests build it by hand. Nothing here is hard-coded in the
 * checker: fields, tiers, channels, messages and coupons all come from configuration.
 */
export type FieldType = "string" | "number" | "date" | "boolean" | "tier";

export interface FieldInfo {
  readonly name: string;
  readonly type: FieldType;
  /** For string fields with a closed set of values (e.g. gender): the values allowed. */
  readonly values?: readonly string[];
  /** Shown in help texts. */
  readonly description?: string;
}

export type ChannelName = "sms" | "email" | "wechat";
export const CHANNEL_NAMES: readonly ChannelName[] = ["sms", "email", "wechat"];

export interface MessageInfo {
  readonly name: string;
  /** The channels this message has a template for. */
  readonly channels: readonly ChannelName[];
}

export interface CouponInfo {
  readonly name: string;
  /** The brand the coupon is for, when it is a brand coupon (`send coupon for brand X`). */
  readonly brand?: string;
  /** The message that carries the code to the member. */
  readonly message?: string;
}

export interface CheckEnvironment {
  /** Tier names, lowest first. */
  readonly tiers: readonly string[];
  /** The member schema: canonical fields plus configured custom fields. */
  readonly fields: readonly FieldInfo[];
  /** Channels configured in patron.yaml. */
  readonly channels: readonly ChannelName[];
  readonly messages: readonly MessageInfo[];
  readonly coupons: readonly CouponInfo[];
  /** The business time zone (IANA). */
  readonly timezone: string;
}

/**
 * The canonical member fields of product.md, with their types. `age` is derived from `birthday`
 * (whole years on the member's local date); `tier` is ordered by the configured tier list.
 */
export const CANONICAL_FIELDS: readonly FieldInfo[] = [
  { name: "id", type: "string" },
  { name: "name", type: "string" },
  { name: "phone", type: "string" },
  { name: "email", type: "string" },
  { name: "wechat_openid", type: "string" },
  { name: "tier", type: "tier" },
  { name: "points", type: "number", description: "points balance" },
  { name: "city", type: "string" },
  { name: "gender", type: "string", values: ["female", "male", "other"] },
  { name: "birthday", type: "date" },
  { name: "age", type: "number", description: "whole years since birthday, on the member's local date" },
  { name: "joined_at", type: "date" },
  { name: "timezone", type: "string" },
  { name: "consent_sms", type: "boolean" },
  { name: "consent_email", type: "boolean" },
  { name: "consent_wechat", type: "boolean" },
  { name: "referred_by", type: "string" },
];
