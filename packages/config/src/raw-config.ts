import type { EnvRef, MessagePurpose, Region, WechatTemplateKind } from "./types.js";

/**
 * patron.yaml exactly as the schema accepts it, before paths are resolved and defaults filled in.
 * Keep it in step with schema/patron.schema.json: this type is asserted, not checked, once the
 * data has passed validation (see resolve.ts).
 */
export interface RawConfig {
  readonly business: string;
  readonly timezone: string;
  readonly region?: Region;
  readonly database?: string;
  readonly tiers: readonly string[];
  readonly segments?: string | readonly string[];
  readonly templates?: string;
  readonly members?: { readonly fields?: Readonly<Record<string, RawField>> };
  readonly channels?: {
    readonly sms?: RawSmsChannel;
    readonly email?: RawEmailChannel;
    readonly wechat?: RawWechatChannel;
  };
  readonly messages?: Readonly<Record<string, RawMessage>>;
  readonly coupons?: Readonly<Record<string, RawCoupon>>;
  readonly quietHours?: { readonly from: string; readonly until: string };
  readonly frequencyCap?: { readonly messages: number; readonly days: number };
  readonly optOutKeywords?: readonly string[];
}

export interface RawField {
  readonly type: "string" | "number" | "date" | "boolean";
  readonly values?: readonly string[];
  readonly description?: string;
}

export interface RawSmsChannel {
  readonly provider: "twilio";
  readonly from?: string;
  readonly messagingServiceSid?: string;
  readonly accountSid: EnvRef;
  readonly authToken: EnvRef;
  readonly statusCallback?: string;
  readonly baseUrl?: string;
  readonly signature?: string;
  readonly optOutText?: string;
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  readonly timeoutMs?: number;
}

export interface RawEmailChannel {
  readonly provider: "smtp";
  readonly host: string;
  readonly port: number;
  readonly secure?: boolean;
  readonly user?: EnvRef;
  readonly password?: EnvRef;
  readonly from: string;
  readonly replyTo?: string;
  readonly unsubscribeUrl?: string;
  readonly maxConnections?: number;
  readonly ratePerSecond?: number;
  readonly timeoutMs?: number;
}

export interface RawWechatChannel {
  readonly provider: "wechat-official-account";
  readonly appId: EnvRef;
  readonly appSecret: EnvRef;
  readonly baseUrl?: string;
  readonly concurrency?: number;
  readonly ratePerSecond?: number;
  readonly timeoutMs?: number;
}

export interface RawMessage {
  readonly purpose: MessagePurpose;
  readonly description?: string;
  readonly sms?: { readonly body?: string; readonly file?: string };
  readonly email?: {
    readonly subject: string;
    readonly text?: string;
    readonly textFile?: string;
    readonly html?: string;
    readonly htmlFile?: string;
  };
  readonly wechat?: {
    readonly templateId: string;
    readonly kind: WechatTemplateKind;
    readonly url?: string;
    readonly data: Readonly<Record<string, string>>;
  };
}

export interface RawCoupon {
  readonly brand?: string;
  readonly value: string;
  readonly message: string;
  readonly description?: string;
  readonly validDays?: number;
  readonly codes?: { readonly alphabet?: string; readonly length?: number; readonly prefix?: string };
  readonly pool?: string;
  readonly cap?: number;
}
