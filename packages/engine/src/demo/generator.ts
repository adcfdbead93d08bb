import type { FieldInfo } from "@patron/dsl";
import {
  ALL_STORES,
  BRAND_POPULARITY,
  EMAIL_DOMAINS_ABROAD,
  EMAIL_DOMAINS_CN,
  GIVEN_FEMALE,
  GIVEN_MALE,
  HAIR_CONCERNS,
  PRODUCTS,
  SKIN_TYPES,
  STORES,
  SURNAMES,
  ZONES,
  type Product,
  type ZoneInfo,
} from "./catalog.js";
import { Calendar } from "./calendar.js";
import { Random, Weighted } from "./random.js";
import type { DemoBusiness, DemoMember, DemoOptions, DemoSink } from "./types.js";

/*
 * The shape of the demo data, and the reasons for it:
 *
 * - Members are numbered in the order they joined (M0000001 first), over the 6 years before
 *   asOf, joining faster as the chain grows. joined_at strictly increases with the number, so a
 *   referrer (always a lower number) joined before the member they referred.
 * - Each member's data depends only on (seed, member number, asOf, business): three PRNG streams
 *   per member (profile, custom fields, shopping), each reseeded from those. Adding a custom
 *   field does not change anyone's purchases; writing to the store or to CSV gives the same data.
 * - Tiers: weight 0.3^position, so silver ≫ gold > platinum > diamond (70/21/6/2 % of 4 tiers).
 *   Higher tiers buy more often, a little more luxury, and earn more points per CNY.
 * - Purchases: orders per year are log-normal (a heavy tail of big spenders), times the tier's
 *   factor, over the part of the last 2 years the member was active; a third of members lapse
 *   at some point, 10 % never buy. 1–6 lines per order, mostly from the member's 2–4 favourite
 *   brands; prices are the shelf's, with promotions around 618 and Singles' Day (when sales
 *   also peak). Shop hours in the member's zone (a standard offset: ±1 h under DST is fine
 *   for demo data). ~3 % of lines come back as a return: a row with negative quantity and
 *   amount, order id `<order>-R`, 1–14 days later (and not after asOf).
 * - Point lots: a 100-point sign-up lot, and one lot per order (1 point per CNY, more for higher
 *   tiers), each expiring 12 months after it was earned, so about 1/24 of the last two years'
 *   lots expire in the next 30 days. The points balance is what has not expired, less what the
 *   member redeemed.
 * - ~5 % of members were referred by an earlier member; a few "ambassadors" refer many.
 * - Most members live in Asia/Shanghai; some in Hong Kong, Singapore, Los Angeles, London,
 *   Auckland; 1 % have no time zone (the business zone applies). A few values are missing
 *   (tier, city, gender, birthday), as in real exports.
 */

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const HISTORY = 6 * YEAR; // members joined over the 6 years before asOf
const SHOPPING = 730 * DAY; // purchases cover the 2 years before asOf
const MAX_ORDERS = 999; // order numbers are member number × 1000 + order

/** The business the example campaigns are written for (campaigns/patron.yaml). */
export const DEMO_BUSINESS: DemoBusiness = {
  tiers: ["silver", "gold", "platinum", "diamond"],
  timezone: "Asia/Shanghai",
  fields: [
    { name: "vip_store", type: "string" },
    { name: "skin_type", type: "string", values: ["dry", "oily", "combination", "sensitive"] },
    { name: "hair_concern", type: "string", values: ["dandruff", "oily-scalp", "dry-damaged", "hair-loss", "none"] },
    { name: "beauty_advisor", type: "string" },
    { name: "app_user", type: "boolean" },
  ],
};

const CANONICAL = new Set([
  "id", "name", "phone", "email", "wechat_openid", "tier", "points", "city", "gender", "birthday", "age",
  "joined_at", "timezone", "consent_sms", "consent_email", "consent_wechat", "referred_by",
]); // prettier-ignore

type AttributeValue = string | number | boolean;

/** Everything the generator needs, built once per run. */
export class DemoGenerator {
  readonly memberCount: number;
  private readonly seed: number;
  private readonly asOf: number;
  private readonly tiers: readonly string[];
  private readonly tierChoice: Weighted<number>;
  private readonly customFields: readonly FieldInfo[];
  private readonly idWidth: number;
  private readonly orderWidth: number;
  private readonly asOfYear: number;
  private readonly calendar: Calendar;

  private readonly profile = new Random(0);
  private readonly fieldsRandom = new Random(0);
  private readonly shopping = new Random(0);

  private readonly zoneChoice = new Weighted(ZONES.map((z) => [z, z.weight] as const));
  private readonly cityChoice = new Map<ZoneInfo, Weighted<string>>(ZONES.map((z) => [z, new Weighted(z.cities)]));
  private readonly surnameChoice = new Weighted(SURNAMES.map(([name, pinyin, weight]) => [[name, pinyin] as const, weight] as const));
  private readonly domainsCn = new Weighted(EMAIL_DOMAINS_CN);
  private readonly domainsAbroad = new Weighted(EMAIL_DOMAINS_ABROAD);
  private readonly skinChoice = new Weighted(SKIN_TYPES);
  private readonly hairChoice = new Weighted(HAIR_CONCERNS);
  private readonly brandChoice = new Weighted(BRAND_POPULARITY);
  private readonly productsByBrand = new Map<string, { readonly female: Weighted<Product>; readonly male: Weighted<Product> }>();

  constructor(options: DemoOptions) {
    const members = options.members;
    if (!Number.isInteger(members) || members < 0) throw new Error(`members must be a whole number ≥ 0, not ${members}`);
    if (!Number.isFinite(options.asOf)) throw new Error("asOf must be an instant (epoch milliseconds)");
    const business = options.business ?? DEMO_BUSINESS;
    if (business.tiers.length === 0) throw new Error("the business needs at least one tier");
    this.memberCount = members;
    this.seed = options.seed;
    this.asOf = Math.floor(options.asOf);
    this.tiers = business.tiers;
    this.tierChoice = new Weighted(business.tiers.map((_, t) => [t, Math.pow(0.3, t)] as const));
    this.customFields = business.fields.filter((f) => !CANONICAL.has(f.name));
    this.idWidth = Math.max(7, String(members).length);
    this.orderWidth = this.idWidth + 3;
    this.asOfYear = new Date(this.asOf).getUTCFullYear();
    this.calendar = new Calendar(this.asOf - HISTORY, this.asOf);
    for (const [brand] of BRAND_POPULARITY) {
      const products = PRODUCTS.filter((p) => p.brand === brand);
      this.productsByBrand.set(brand, {
        female: new Weighted(products.map((p) => [p, p.men ? p.weight * 0.3 : p.weight] as const)),
        male: new Weighted(products.map((p) => [p, p.men ? p.weight * 4 : p.weight] as const)),
      });
    }
  }

  memberId(index: number): string {
    return `M${String(index + 1).padStart(this.idWidth, "0")}`;
  }

  /** joined_at of member `index`: strictly increasing, the last one before asOf. */
  private joinedAt(index: number, u: number): number {
    const n = this.memberCount;
    const from = Math.floor(this.asOf - HISTORY + HISTORY * Math.pow(index / n, 2 / 3));
    const until = Math.floor(this.asOf - HISTORY + HISTORY * Math.pow((index + 1) / n, 2 / 3));
    return from + Math.floor(u * Math.max(1, until - from));
  }

  /** Generates member `index` and hands the member, their purchases and point lots to `sink`. */
  generate(index: number, sink: DemoSink): void {
    const r = this.profile;
    r.reseed(this.seed, index * 3);
    const id = this.memberId(index);
    const joinedAt = this.joinedAt(index, r.float());
    const zone = this.zoneChoice.draw(r);
    const mainland = zone.zone === "Asia/Shanghai";
    const city = r.chance(0.02) ? null : (this.cityChoice.get(zone)?.draw(r) ?? null);
    const genderDraw = r.float();
    const gender = genderDraw < 0.78 ? "female" : genderDraw < 0.97 ? "male" : genderDraw < 0.98 ? "other" : null;
    const [surname, surnamePinyin] = this.surnameChoice.draw(r);
    const given = gender === "male" || (gender !== "female" && r.chance(0.3)) ? GIVEN_MALE : GIVEN_FEMALE;
    const [first, firstPinyin] = r.pick(given);
    const second = r.chance(0.7) ? r.pick(given) : undefined;
    const name = surname + first + (second?.[0] ?? "");
    const tierIndex = this.tierChoice.draw(r);
    const tier = r.chance(0.005) ? null : (this.tiers[tierIndex] ?? null);
    const age = Math.min(75, Math.max(16, Math.round(33 + 9 * r.normal())));
    const birthday = r.chance(0.08) ? null : this.birthday(age, r);
    const digits = (count: number): string => {
      let s = "";
      for (let i = 0; i < count; i++) s += String(r.int(10));
      return s;
    };
    const phone = r.chance(mainland ? 0.94 : 0.85) ? zone.phone(digits, (items) => r.pick(items)) : null;
    let email: string | null = null;
    if (r.chance(mainland ? 0.62 : 0.85)) {
      const local = surnamePinyin + firstPinyin + (second?.[1] ?? "") + (r.chance(0.7) ? String(r.between(1, 9999)) : "");
      email = `${local}@${(mainland ? this.domainsCn : this.domainsAbroad).draw(r)}`;
    }
    const openid = r.chance(zone.wechat) ? wechatOpenid(r) : null;
    const timezone = r.chance(0.01) ? null : zone.zone;
    const consentSms = r.chance(0.7);
    const consentEmail = r.chance(0.6);
    const consentWechat = r.chance(0.5);
    const referredBy = index > 0 && r.chance(0.05) ? this.memberId(referrer(index, r)) : null;
    const attributes = this.attributes(index, { city, mainland, age });

    // ---- shopping ----
    const s = this.shopping;
    s.reseed(this.seed, index * 3 + 2);
    const favourites = this.favourites(s, tierIndex, attributes["hair_concern"]);
    const lots: [number, number, number, string][] = [[100, joinedAt, this.calendar.addYear(joinedAt), "signup"]];
    const rows: (string | number)[][] = [];
    const offset = zone.offsetHours * 3_600_000;
    const orderTimes = this.orderTimes(s, joinedAt, tierIndex, offset);
    const male = gender === "male";
    const pointsRate = 1 + 0.25 * tierIndex;
    for (let k = 0; k < orderTimes.length; k++) {
      const at = orderTimes[k] as number;
      const orderId = `T${String(index * 1000 + k + 1).padStart(this.orderWidth, "0")}`;
      const lines = Math.min(6, 1 + s.geometric(0.6));
      const promo = this.calendar.promotion(at);
      const skus = new Map<Product, number>();
      for (let l = 0; l < lines; l++) {
        const brand = (s.chance(0.7) ? favourites : this.brandChoice).draw(s);
        const pool = this.productsByBrand.get(brand);
        if (pool === undefined) continue;
        const product = (male ? pool.male : pool.female).draw(s);
        const q = s.float();
        skus.set(product, (skus.get(product) ?? 0) + (q < 0.85 ? 1 : q < 0.97 ? 2 : 3));
      }
      let total = 0;
      for (const [product, quantity] of skus) {
        const discount = promo * (s.chance(0.2) ? 0.9 : 1) * (tierIndex >= 3 ? 0.95 : 1);
        const amount = Math.round(product.price * quantity * discount * 100) / 100;
        total += amount;
        rows.push([at, orderId, product.sku, product.brand, product.category, quantity, amount]);
        if (amount > 0 && s.chance(0.03)) {
          const returnedAt = at + s.between(1, 14) * DAY + s.int(8 * 3_600_000);
          if (returnedAt <= this.asOf)
            rows.push([returnedAt, `${orderId}-R`, product.sku, product.brand, product.category, -quantity, -amount]);
        }
      }
      const earned = Math.floor(total * pointsRate);
      if (earned > 0) lots.push([earned, at, this.calendar.addYear(at), "purchase"]);
    }

    let unexpired = 0;
    for (const lot of lots) if (lot[2] > this.asOf) unexpired += lot[0];
    const points = Math.round(unexpired * (s.chance(0.4) ? 1 - (0.1 + 0.8 * s.float()) : 1));

    const member: DemoMember = {
      id,
      name,
      phone,
      email,
      wechatOpenid: openid,
      tier,
      points,
      city,
      gender,
      birthday,
      joinedAt,
      timezone,
      consentSms,
      consentEmail,
      consentWechat,
      referredBy,
      attributes,
    };
    sink.member(member);
    for (const row of rows) {
      sink.purchase(
        id,
        row[0] as number,
        row[1] as string,
        row[2] as string,
        row[3] as string,
        row[4] as string,
        row[5] as number,
        row[6] as number,
      );
    }
    for (const [lotPoints, earnedAt, expiresAt, source] of lots) sink.pointLot(id, lotPoints, earnedAt, expiresAt, source);
  }

  private birthday(age: number, r: Random): string {
    const start = Date.UTC(this.asOfYear - age - 1, 0, 1);
    return new Date(start + r.int(Math.round(YEAR / DAY)) * DAY).toISOString().slice(0, 10);
  }

  /** Custom fields, in the order patron.yaml declares them; a few are missing. */
  private attributes(index: number, member: { city: string | null; mainland: boolean; age: number }): Record<string, AttributeValue> {
    const r = this.fieldsRandom;
    r.reseed(this.seed, index * 3 + 1);
    const out: Record<string, AttributeValue> = {};
    let store: string | undefined;
    for (const field of this.customFields) {
      let value: AttributeValue | undefined;
      switch (field.name) {
        case "vip_store": {
          const own = member.city === null ? undefined : STORES[member.city];
          if (own !== undefined && r.chance(0.9)) value = r.pick(own);
          else if (member.mainland && r.chance(0.2)) value = r.pick(ALL_STORES);
          store = typeof value === "string" ? value : undefined;
          break;
        }
        case "skin_type":
          value = r.chance(0.08) ? undefined : this.skinChoice.draw(r);
          break;
        case "hair_concern":
          value = r.chance(0.1) ? undefined : this.hairChoice.draw(r);
          break;
        case "beauty_advisor":
          value = store === undefined ? undefined : `${store}-BA${String(r.between(1, 20)).padStart(2, "0")}`;
          break;
        case "app_user":
          value = r.chance(member.age < 35 ? 0.7 : 0.4);
          break;
        default:
          value = r.chance(0.1) ? undefined : genericValue(field, r, this.asOf, this.tiers);
      }
      if (value !== undefined && field.values !== undefined && !field.values.includes(String(value))) {
        value = genericValue(field, r, this.asOf, this.tiers);
      }
      if (value !== undefined && !fits(field, value)) value = genericValue(field, r, this.asOf, this.tiers);
      if (value !== undefined) out[field.name] = value;
    }
    return out;
  }

  /** 2–4 favourite brands: popularity, luxury for higher tiers, Head & Shoulders for dandruff. */
  private favourites(s: Random, tierIndex: number, hairConcern: AttributeValue | undefined): Weighted<string> {
    const weights = BRAND_POPULARITY.map(([brand, weight]) => {
      let w = weight;
      if (brand === "SK-II" || brand === "Jo Malone") w *= 1 + 1.5 * tierIndex;
      if (brand === "Head & Shoulders" && hairConcern === "dandruff") w *= 4;
      return [brand, w] as const;
    });
    const all = new Weighted(weights);
    const count = s.between(2, 4);
    const chosen: (readonly [string, number])[] = [];
    for (let i = 0; i < count; i++) {
      const brand = all.draw(s);
      if (!chosen.some(([b]) => b === brand)) chosen.push([brand, count - i]);
    }
    return new Weighted(chosen);
  }

  /** Order instants, strictly increasing, within the part of the last 2 years the member was active. */
  private orderTimes(s: Random, joinedAt: number, tierIndex: number, offset: number): number[] {
    const times: number[] = [];
    if (s.chance(0.1)) return times; // never bought
    const start = Math.max(joinedAt, this.asOf - SHOPPING);
    const end = s.chance(0.33) ? start + s.float() * (this.asOf - start) : this.asOf; // lapsed at some point
    const perYear = s.logNormal(1.0, 0.9) * Math.pow(1.6, tierIndex);
    let count = Math.min(MAX_ORDERS, s.roundRandomly((perYear * (end - start)) / YEAR));
    // many join at the till, with a first purchase
    if (joinedAt > this.asOf - SHOPPING && s.chance(0.6)) {
      times.push(joinedAt + s.between(1, 20) * 60_000);
      count = Math.max(0, count - 1);
    }
    for (let k = 0; k < count; k++) times.push(shopTime(s, this.calendar, start, end, offset));
    times.sort((a, b) => a - b);
    for (let k = 1; k < times.length; k++) if ((times[k] as number) <= (times[k - 1] as number)) times[k] = (times[k - 1] as number) + 1;
    while (times.length > 0 && (times[times.length - 1] as number) > this.asOf) times.pop();
    return times;
  }
}

/**
 * An instant in [start, end] on a busy shopping day (China's calendar: the promotions are the
 * chain's), in shop hours 10:00–22:00 at the member's UTC `offset`, busiest in the evening.
 */
function shopTime(s: Random, calendar: Calendar, start: number, end: number, offset: number): number {
  for (let attempt = 0; attempt < 8; attempt++) {
    const t0 = start + s.float() * (end - start);
    if (s.float() * 3 > calendar.seasonWeight(t0)) continue;
    const dayStart = Math.floor((t0 + offset) / DAY) * DAY - offset;
    const hour = s.float() < 0.45 ? s.between(18, 21) : s.between(10, 17);
    const t = dayStart + hour * 3_600_000 + s.int(3_600_000);
    if (t >= start && t <= end) return t;
  }
  return Math.floor(start + s.float() * (end - start));
}

/** An earlier member: usually any, sometimes one of the few "ambassadors" (every 211th member). */
function referrer(index: number, r: Random): number {
  const ambassadors = index > 7 ? Math.floor((index - 8) / 211) + 1 : 0;
  if (ambassadors > 0 && r.chance(0.25)) return 7 + 211 * r.int(ambassadors);
  return r.int(index);
}

const OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Looks like a WeChat official-account openid: 28 characters starting with "o". */
function wechatOpenid(r: Random): string {
  let s = "o";
  for (let i = 0; i < 27; i++) s += OPENID_ALPHABET[r.int(64)];
  return s;
}

/** A plausible value for a custom field the generator knows nothing about, from its type. */
function genericValue(field: FieldInfo, r: Random, asOf: number, tiers: readonly string[]): AttributeValue {
  if (field.values !== undefined && field.values.length > 0) return r.pick(field.values);
  switch (field.type) {
    case "number":
      return Math.round(r.logNormal(3, 1));
    case "boolean":
      return r.chance(0.5);
    case "date":
      return new Date(asOf - r.int(3 * 365) * DAY).toISOString().slice(0, 10);
    case "tier":
      return r.pick(tiers);
    case "string":
      return `${field.name}-${r.between(1, 50)}`;
  }
}

function fits(field: FieldInfo, value: AttributeValue): boolean {
  switch (field.type) {
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    default:
      return typeof value === "string";
  }
}
