import type { Region } from "@patron/config";
import type { DateTime } from "luxon";
import { memberZone } from "../time/local-dates.js";
import { formatDate, toDateTime, type DateInput } from "./format.js";
import type { VariableKind } from "./variables.js";

/** One value of a member's row; null or undefined means the member has no value for the field. */
export type MemberValue = string | number | boolean | null | undefined;

/**
 * Everything a template can show about one member receiving one message (docs/templates.md,
 * "Variables"). The engine builds it when it renders a message for a member.
 */
export interface MessageContext {
  /**
   * The member's row: canonical fields by name (`joined_at` in epoch ms, `birthday` as YYYY-MM-DD,
   * `timezone` an IANA name) and the custom fields of patron.yaml's members.fields by their names.
   */
  readonly member: { readonly id: string; readonly [field: string]: MemberValue };
  /** The points balance. */
  readonly points: number;
  /** Points expiring within the next 30 days (0 when none). */
  readonly expiringPoints: number;
  /** The earliest expiry among those points; absent when nothing expires within 30 days. */
  readonly expiresOn?: DateInput;
  /** Set when the campaign's action awards points (`award 200 points and send …`). */
  readonly awardedPoints?: number;
  /** Set when the message carries a coupon (`send coupon …`). */
  readonly coupon?: CouponVariables;
  /** The member's one-click unsubscribe address; only email templates may show it. */
  readonly unsubscribeUrl?: string;
  readonly campaign: { readonly name: string };
  /** When the message is rendered: `daysLeft` counts from this moment's local date. */
  readonly now: DateInput;
}

export interface CouponVariables {
  readonly code: string;
  readonly value: string;
  /** The coupon's name in patron.yaml, e.g. "HS-20". */
  readonly name: string;
  /** The last day the code is valid; absent for a coupon without validDays. */
  readonly expiresOn?: DateInput;
}

/**
 * What a template sees. Its objects inherit no string key (see RECORD), so `{{constructor}}` or
 * `{{member.__proto__}}` find nothing and strict mode throws; values a member lacks are left out,
 * so `{{member.city}}` throws for a member without a city instead of rendering an empty string.
 */
export type TemplateInput = Readonly<Record<string, unknown>>;

const DATE = Symbol("patron.date");

/** A date in a template: shows in the region's style, and carries its luxon DateTime for the helpers. */
export interface TemplateDate {
  readonly [DATE]: DateTime;
}

export function dateOf(value: unknown): DateTime | undefined {
  return typeof value === "object" && value !== null && DATE in value ? (value as TemplateDate)[DATE] : undefined;
}

export interface InputSettings {
  readonly region: Region;
  /** The business time zone: a member's dates use theirs when valid, else this one. */
  readonly timezone: string;
  readonly business: string;
  /** The member fields templates may use, with their kinds. */
  readonly fields: ReadonlyMap<string, VariableKind>;
}

export function templateInput(context: MessageContext, settings: InputSettings): { input: TemplateInput; zone: string; now: DateTime } {
  const rawZone = context.member["timezone"];
  const zone = memberZone(typeof rawZone === "string" ? rawZone : undefined, settings.timezone);
  const date = (value: DateInput | undefined): TemplateDate | undefined => {
    const dt = value === undefined ? undefined : toDateTime(value, zone);
    return dt && templateDate(dt, settings.region);
  };
  const member = record();
  for (const [name, kind] of fieldsOf(settings)) {
    const value = Object.hasOwn(context.member, name) ? context.member[name] : undefined;
    if (value === null || value === undefined) continue;
    member[name] = kind === "date" && (typeof value === "string" || typeof value === "number") ? date(value) : value;
  }
  const now = nowIn(context.now, zone);
  const input = record();
  input["member"] = member;
  input["points"] = context.points;
  input["expiringPoints"] = context.expiringPoints;
  if (context.expiresOn !== undefined) set(input, "expiresOn", date(context.expiresOn));
  set(input, "awardedPoints", context.awardedPoints);
  const { coupon } = context;
  if (coupon) {
    const values = record();
    values["code"] = coupon.code;
    values["value"] = coupon.value;
    values["name"] = coupon.name;
    if (coupon.expiresOn !== undefined) set(values, "expiresOn", date(coupon.expiresOn));
    input["coupon"] = values;
  }
  set(input, "unsubscribeUrl", context.unsubscribeUrl);
  input["campaign"] = campaignRecord(context.campaign.name);
  input["business"] = settings.business;
  return { input, zone, now };
}

// Per settings: the fields as an array (iterated for every member), made once.
const fieldLists = new WeakMap<InputSettings, readonly (readonly [string, VariableKind])[]>();

function fieldsOf(settings: InputSettings): readonly (readonly [string, VariableKind])[] {
  let fields = fieldLists.get(settings);
  if (!fields) fieldLists.set(settings, (fields = [...settings.fields]));
  return fields;
}

// The campaign's record is the same for every member of a run: made once per name. Templates
// only read their input, and a frozen record inheriting no string key has nothing to reach through.
let lastCampaign: { readonly name: string; readonly value: TemplateInput } | undefined;

function campaignRecord(name: string): TemplateInput {
  if (lastCampaign?.name !== name) {
    const campaign = record();
    campaign["name"] = name;
    lastCampaign = { name, value: Object.freeze(campaign) };
  }
  return lastCampaign.value;
}

/**
 * What every record of a template's input inherits: nothing a template path can name, only the
 * string conversion Handlebars' strict mode uses for its message ('"city" not defined in …').
 * Without it, that message threw a TypeError of its own and the position of the failed variable
 * was lost (render.ts explain() needs it).
 */
const RECORD: object = Object.freeze(Object.create(null, { [Symbol.toPrimitive]: { value: () => "[template values]" } }) as object);

/** An object whose only string keys are what is set on it: a template path finds nothing else. */
function record(): Record<string, unknown> {
  return Object.create(RECORD) as Record<string, unknown>;
}

/** Sets a value the context has; one it lacks stays absent, so a strict template throws for it. */
function set(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

// A run renders every message at the same `now`, in a handful of zones: one DateTime per zone.
let nowCache: { readonly at: number; readonly byZone: Map<string, DateTime> } | undefined;

function nowIn(value: DateInput, zone: string): DateTime {
  if (typeof value === "number") {
    if (nowCache?.at !== value) nowCache = { at: value, byZone: new Map() };
    const cached = nowCache.byZone.get(zone);
    if (cached) return cached;
  }
  const now = toDateTime(value, zone);
  if (!now) throw new Error(`the render time ${String(value)} is not a date`);
  if (typeof value === "number" && nowCache) {
    if (nowCache.byZone.size > 1000) nowCache.byZone.clear();
    nowCache.byZone.set(zone, now);
  }
  return now;
}

function templateDate(dt: DateTime, region: Region): TemplateDate {
  const d = Object.create(null) as Record<PropertyKey, unknown>;
  d[DATE] = dt;
  // Not enumerable and not a string key a template path could name: only string conversion uses it.
  Object.defineProperty(d, Symbol.toPrimitive, { value: () => formatDate(dt, region) });
  return Object.freeze(d) as unknown as TemplateDate;
}
