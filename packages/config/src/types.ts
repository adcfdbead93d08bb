import type { FieldInfo } from "@patron/dsl";

/**
 * patron.yaml as the rest of Patron sees it: validated, paths made absolute, defaults filled in.
 * Lists of named things (messages, coupons, fields) keep the order of the file.
 */
export interface PatronConfig {
  /** Absolute path of patron.yaml. */
  readonly file: string;
  /** The folder holding patron.yaml: the root of the campaigns repository. */
  readonly root: string;
  readonly business: string;
  /** IANA time zone name, e.g. "Asia/Shanghai". */
  readonly timezone: string;
  readonly region: Region;
  /** Absolute path of the SQLite database (default: patron.db beside patron.yaml). */
  readonly database: string;
  /** Tier names, lowest first. */
  readonly tiers: readonly string[];
  /** Absolute paths of the segment files, possibly none. */
  readonly segments: readonly string[];
  /** Absolute path of the templates folder (default: templates beside patron.yaml). */
  readonly templates: string;
  readonly members: MembersConfig;
  readonly channels: ChannelsConfig;
  readonly messages: readonly MessageConfig[];
  readonly coupons: readonly CouponConfig[];
  /** Absent: messages may go out at any hour. */
  readonly quietHours?: QuietHours;
  /** Absent: no global cap (campaigns may still limit themselves). */
  readonly frequencyCap?: FrequencyCap;
  readonly optOutKeywords: readonly string[];
}

/** Decides the SMS compliance rules checked later (sign name, opt-out text). */
export type Region = "cn" | "us" | "eu" | "other";

export interface MembersConfig {
  /** The custom fields only; the canonical ones are CANONICAL_FIELDS of @patron/dsl. */
  readonly fields: readonly FieldInfo[];
}

/** A secret to read from the environment when sending; never the secret itself. */
export interface EnvRef {
  readonly env: string;
}

export interface ChannelsConfig {
  readonly sms?: SmsChannelConfig;
  readonly email?: EmailChannelConfig;
  readonly wechat?: WechatChannelConfig;
}

export interface SmsChannelConfig {
  readonly provider: "twilio";
  /** The sending number (E.164) or alphanumeric sender ID; this or messagingServiceSid is set. */
  readonly from?: string;
  readonly messagingServiceSid?: string;
  readonly accountSid: EnvRef;
  readonly authToken: EnvRef;
  readonly statusCallback?: string;
  /** Where Twilio API requests go instead of https://api.twilio.com (a proxy, a test server). */
  readonly baseUrl?: string;
  readonly signature?: string;
  readonly optOutText?: string;
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  /** One request to Twilio, in ms (default 30 000). */
  readonly timeoutMs?: number;
}

export interface EmailChannelConfig {
  readonly provider: "smtp";
  readonly host: string;
  readonly port: number;
  /** TLS from the start; defaults to true on port 465. */
  readonly secure: boolean;
  readonly user?: EnvRef;
  readonly password?: EnvRef;
  readonly from: string;
  readonly replyTo?: string;
  readonly unsubscribeUrl?: string;
  readonly maxConnections?: number;
  readonly ratePerSecond?: number;
  /** Connecting and each SMTP exchange, in ms (default 30 000). */
  readonly timeoutMs?: number;
}

export interface WechatChannelConfig {
  readonly provider: "wechat-official-account";
  readonly appId: EnvRef;
  readonly appSecret: EnvRef;
  /** Default https://api.weixin.qq.com; tests point it at a local server. */
  readonly baseUrl: string;
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  /** One exchange with the WeChat API, in ms (default 10 000). */
  readonly timeoutMs?: number;
}

export type MessagePurpose = "service" | "marketing";

export interface MessageConfig {
  readonly name: string;
  readonly purpose: MessagePurpose;
  readonly description?: string;
  readonly sms?: TemplateSource;
  readonly email?: EmailTemplate;
  readonly wechat?: WechatTemplate;
}

/** Template text written in patron.yaml, or a template file (absolute path) in the templates folder. */
export type TemplateSource = { readonly kind: "inline"; readonly text: string } | { readonly kind: "file"; readonly path: string };

export interface EmailTemplate {
  readonly subject: string;
  /** At least one of text and html is set. */
  readonly text?: TemplateSource;
  readonly html?: TemplateSource;
}

export type WechatTemplateKind = "points-change" | "coupon-issued" | "order-status" | "service-notice" | "other";

export interface WechatTemplate {
  readonly templateId: string;
  readonly kind: WechatTemplateKind;
  readonly url?: string;
  /** Template field name → text with placeholders, in the order written. */
  readonly data: Readonly<Record<string, string>>;
}

export interface CouponConfig {
  readonly name: string;
  readonly brand?: string;
  readonly value: string;
  /** The message carrying the code; always names a configured message. */
  readonly message: string;
  readonly description?: string;
  readonly validDays?: number;
  readonly codes: GeneratedCodes | CodePool;
  readonly cap?: number;
}

export interface GeneratedCodes {
  readonly kind: "generated";
  readonly alphabet: string;
  readonly length: number;
  readonly prefix: string;
}

export interface CodePool {
  readonly kind: "pool";
  /** Absolute path of the file of codes, one per line. */
  readonly file: string;
}

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** In the member's local time; spans midnight when `from` is later than `until`. */
export interface QuietHours {
  readonly from: TimeOfDay;
  readonly until: TimeOfDay;
}

export interface FrequencyCap {
  readonly messages: number;
  readonly days: number;
}
