import { resolve } from "node:path";
import type { FieldInfo } from "@patron/dsl";
import { DEFAULTS } from "./defaults.js";
import type { RawConfig, RawCoupon, RawMessage } from "./raw-config.js";
import { canonicalTimeZone } from "./time-zone.js";
import type {
  CouponConfig,
  EmailChannelConfig,
  MessageConfig,
  PatronConfig,
  TemplateSource,
  TimeOfDay,
  WechatChannelConfig,
} from "./types.js";

/**
 * Turns data that passed the schema and the semantic checks into a PatronConfig: relative paths
 * become absolute (from the folder of patron.yaml; template files from the templates folder) and
 * left-out settings get their defaults.
 */
export function resolveConfig(file: string, data: unknown): PatronConfig {
  const raw = data as RawConfig; // the schema guarantees this shape; see raw-config.ts
  const root = resolve(file, "..");
  const templates = resolve(root, raw.templates ?? DEFAULTS.templates);
  const { sms, email, wechat } = raw.channels ?? {};
  const segments = raw.segments === undefined ? [] : typeof raw.segments === "string" ? [raw.segments] : raw.segments;
  const quietHours = raw.quietHours;
  return {
    file,
    root,
    business: raw.business,
    timezone: canonicalTimeZone(raw.timezone),
    region: raw.region ?? DEFAULTS.region,
    database: resolve(root, raw.database ?? DEFAULTS.database),
    tiers: raw.tiers,
    segments: segments.map((segment) => resolve(root, segment)),
    templates,
    members: { fields: Object.entries(raw.members?.fields ?? {}).map(([name, field]): FieldInfo => ({ name, ...field })) },
    channels: {
      ...(sms && { sms }),
      ...(email && { email: { ...email, secure: email.secure ?? email.port === 465 } satisfies EmailChannelConfig }),
      ...(wechat && { wechat: { ...wechat, baseUrl: wechat.baseUrl ?? DEFAULTS.wechatBaseUrl } satisfies WechatChannelConfig }),
    },
    messages: Object.entries(raw.messages ?? {}).map(([name, message]) => resolveMessage(name, message, templates)),
    coupons: Object.entries(raw.coupons ?? {}).map(([name, coupon]) => resolveCoupon(name, coupon, root)),
    ...(quietHours && { quietHours: { from: timeOfDay(quietHours.from), until: timeOfDay(quietHours.until) } }),
    ...(raw.frequencyCap && { frequencyCap: { ...raw.frequencyCap } }),
    optOutKeywords: raw.optOutKeywords ?? DEFAULTS.optOutKeywords,
  };
}

function resolveMessage(name: string, raw: RawMessage, templates: string): MessageConfig {
  const source = (text: string | undefined, file: string | undefined): TemplateSource | undefined =>
    text !== undefined ? { kind: "inline", text } : file !== undefined ? { kind: "file", path: resolve(templates, file) } : undefined;
  const { sms, email, wechat } = raw;
  const smsSource = sms && source(sms.body, sms.file);
  const text = email && source(email.text, email.textFile);
  const html = email && source(email.html, email.htmlFile);
  return {
    name,
    purpose: raw.purpose,
    ...(raw.description !== undefined && { description: raw.description }),
    ...(smsSource && { sms: smsSource }),
    ...(email && { email: { subject: email.subject, ...(text && { text }), ...(html && { html }) } }),
    ...(wechat && { wechat: { ...wechat, data: { ...wechat.data } } }),
  };
}

function resolveCoupon(name: string, raw: RawCoupon, root: string): CouponConfig {
  const { codes, pool, ...rest } = raw;
  return {
    name,
    ...rest,
    codes:
      pool !== undefined
        ? { kind: "pool", file: resolve(root, pool) }
        : {
            kind: "generated",
            alphabet: codes?.alphabet ?? DEFAULTS.couponAlphabet,
            length: codes?.length ?? DEFAULTS.couponLength,
            prefix: codes?.prefix ?? "",
          },
  };
}

function timeOfDay(text: string): TimeOfDay {
  const [hour = "0", minute = "0"] = text.split(":");
  return { hour: Number(hour), minute: Number(minute) };
}
