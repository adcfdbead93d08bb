import type { Almanac, Engine } from "json-rules-engine";
import type { AttributeValue, MemberRecord, PointLotRecord, PurchaseRecord, ReferralRecord } from "../facts/index.js";
import { ageOn, localDate, memberZone } from "../../time/local-dates.js";
import type { FieldParams, ItemSpec, PurchaseParams, WindowSpec } from "./specs.js";

/*
 * The facts of a compiled rule. Two layers:
 *
 * - Raw facts, one member's data, put into each run's almanac by the evaluator (evaluate.ts):
 *   `member` (the typed row), and, loaded only when a condition asks, `purchases` (up to as-of),
 *   `pointLots` (earned up to as-of) and `referrals` (referred members who joined up to as-of).
 * - Observation facts, defined once per compiled rule: each turns the raw data into the few
 *   numbers a condition is about ("2 orders of brand Pantene in the window, latest …"). Their
 *   values are what `explain` shows as what the condition saw; the operators (operators.ts) then
 *   only compare. json-rules-engine caches each observation per run by its params, so two
 *   conditions on the same purchases and window count them once.
 */

export const RAW_FACTS = {
  member: "member",
  purchases: "purchases",
  pointLots: "pointLots",
  referrals: "referrals",
} as const;

export const FACTS = {
  /** A member field's stored value (FieldParams); null when missing. */
  field: "field",
  /** Age and what it is computed from. */
  age: "age",
  /** Birthday and the member's local date. */
  birthday: "birthday",
  /** Distinct orders with a positive quantity (PurchaseParams). */
  orders: "purchaseOrders",
  /** Net amount of all matching purchase rows, returns included (PurchaseParams). */
  spend: "purchaseSpend",
  /** The latest purchase with a positive quantity ({ item }). */
  lastPurchase: "lastPurchase",
  /** Points of lots whose expiry is in a future window ({ window }). */
  expiring: "pointsExpiring",
  /** Referred members who joined in a window ({ window }). */
  referred: "referredMembers",
} as const;

/** What a field condition saw: the stored value, typed, or null when missing. */
export type FieldSeen = AttributeValue;

export interface AgeSeen {
  /** Null without a birthday. */
  readonly age: number | null;
  readonly birthday: string | null;
  /** The member's local date at as-of, and the zone it was taken in. */
  readonly today: string;
  readonly zone: string;
}

export interface BirthdaySeen {
  readonly birthday: string | null;
  readonly today: string;
  readonly zone: string;
}

export interface OrdersSeen {
  readonly orders: number;
  /** Latest purchased_at among them; null when none. */
  readonly latest: number | null;
}

export interface SpendSeen {
  /** Net: returns (negative rows) included. */
  readonly amount: number;
  readonly rows: number;
  readonly returns: number;
}

export interface LastPurchaseSeen {
  readonly at: number | null;
}

export interface ExpiringSeen {
  readonly points: number;
  readonly lots: number;
  readonly soonest: number | null;
}

export interface ReferralsSeen {
  readonly members: number;
  readonly latest: number | null;
}

/** Registers the observation facts; `asOf` and `businessZone` are the compiled rule's. */
export function addObservationFacts(engine: Engine, asOf: number, businessZone: string): void {
  const member = (almanac: Almanac): Promise<MemberRecord> => almanac.factValue<MemberRecord>(RAW_FACTS.member);
  // as-of is fixed for the rule, so a member's local date depends only on their zone, and an age
  // only on the birthday and that date: worked out once per distinct value, not per member.
  const todays = new Map<string | null, { readonly today: string; readonly zone: string }>();
  const today = (m: MemberRecord): { readonly today: string; readonly zone: string } => {
    let local = todays.get(m.timezone);
    if (!local) {
      const zone = memberZone(m.timezone, businessZone);
      local = { today: localDate(asOf, zone), zone };
      todays.set(m.timezone, local);
    }
    return local;
  };
  const ages = new Map<string, number>();
  const age = (birthday: string, on: string): number => {
    const key = `${birthday}|${on}`;
    let years = ages.get(key);
    if (years === undefined) {
      years = ageOn(birthday, on);
      ages.set(key, years);
    }
    return years;
  };

  // Reading a field is cheaper than json-rules-engine's cache key (a hash of the params): no cache.
  engine.addFact<Promise<FieldSeen>>(FACTS.field, async (params, almanac) => readField(await member(almanac), params as FieldParams), {
    cache: false,
  });

  engine.addFact<Promise<AgeSeen>>(FACTS.age, async (_params, almanac) => {
    const m = await member(almanac);
    const local = today(m);
    return { age: m.birthday === null ? null : age(m.birthday, local.today), birthday: m.birthday, ...local };
  });

  engine.addFact<Promise<BirthdaySeen>>(FACTS.birthday, async (_params, almanac) => {
    const m = await member(almanac);
    return { birthday: m.birthday, ...today(m) };
  });

  engine.addFact<Promise<OrdersSeen>>(FACTS.orders, async (params, almanac) => {
    const { item, window } = params as PurchaseParams;
    const orders = new Set<string>();
    let latest: number | null = null;
    for (const p of await almanac.factValue<PurchaseRecord[]>(RAW_FACTS.purchases)) {
      if (p.quantity > 0 && matchesItem(p, item) && inWindow(p.purchasedAt, window)) {
        orders.add(p.orderId);
        if (latest === null || p.purchasedAt > latest) latest = p.purchasedAt;
      }
    }
    return { orders: orders.size, latest };
  });

  engine.addFact<Promise<SpendSeen>>(FACTS.spend, async (params, almanac) => {
    const { item, window } = params as PurchaseParams;
    let amount = 0;
    let rows = 0;
    let returns = 0;
    for (const p of await almanac.factValue<PurchaseRecord[]>(RAW_FACTS.purchases)) {
      if (matchesItem(p, item) && inWindow(p.purchasedAt, window)) {
        amount += p.amount;
        rows++;
        if (p.quantity < 0) returns++;
      }
    }
    return { amount, rows, returns };
  });

  engine.addFact<Promise<LastPurchaseSeen>>(FACTS.lastPurchase, async (params, almanac) => {
    const { item } = params as { item: ItemSpec };
    let at: number | null = null;
    for (const p of await almanac.factValue<PurchaseRecord[]>(RAW_FACTS.purchases)) {
      if (p.quantity > 0 && p.purchasedAt <= asOf && matchesItem(p, item) && (at === null || p.purchasedAt > at)) at = p.purchasedAt;
    }
    return { at };
  });

  engine.addFact<Promise<ExpiringSeen>>(FACTS.expiring, async (params, almanac) => {
    const { window } = params as { window: WindowSpec };
    let points = 0;
    let lots = 0;
    let soonest: number | null = null;
    for (const lot of await almanac.factValue<PointLotRecord[]>(RAW_FACTS.pointLots)) {
      if (lot.earnedAt <= asOf && lot.expiresAt !== null && inWindow(lot.expiresAt, window)) {
        points += lot.points;
        lots++;
        if (soonest === null || lot.expiresAt < soonest) soonest = lot.expiresAt;
      }
    }
    return { points, lots, soonest };
  });

  engine.addFact<Promise<ReferralsSeen>>(FACTS.referred, async (params, almanac) => {
    const { window } = params as { window: WindowSpec };
    let members = 0;
    let latest: number | null = null;
    for (const r of await almanac.factValue<ReferralRecord[]>(RAW_FACTS.referrals)) {
      if (inWindow(r.joinedAt, window)) {
        members++;
        if (latest === null || r.joinedAt > latest) latest = r.joinedAt;
      }
    }
    return { members, latest };
  });
}

export function matchesItem(p: PurchaseRecord, item: ItemSpec): boolean {
  if (item.by === "anything") return true;
  const value = item.by === "brand" ? p.brand : item.by === "category" ? p.category : p.sku;
  return value !== null && item.names.includes(value);
}

export function inWindow(at: number, window: WindowSpec): boolean {
  return (window.after === null || at > window.after) && at <= window.upTo;
}

const COLUMNS: Readonly<Record<string, (m: MemberRecord) => AttributeValue>> = {
  id: (m) => m.id,
  name: (m) => m.name,
  phone: (m) => m.phone,
  email: (m) => m.email,
  wechat_openid: (m) => m.wechat_openid,
  tier: (m) => m.tier,
  points: (m) => m.points,
  city: (m) => m.city,
  gender: (m) => m.gender,
  birthday: (m) => m.birthday,
  joined_at: (m) => m.joined_at,
  timezone: (m) => m.timezone,
  consent_sms: (m) => m.consent_sms,
  consent_email: (m) => m.consent_email,
  consent_wechat: (m) => m.consent_wechat,
  referred_by: (m) => m.referred_by,
};

/** The canonical fields stored as `members` columns (`age` is derived, not stored). */
export function isColumn(field: string): boolean {
  return Object.hasOwn(COLUMNS, field);
}

/**
 * A field's value, or null when missing. A stored value of the wrong type for the field (which
 * the importer never writes) reads as missing rather than being coerced.
 */
export function readField(m: MemberRecord, params: FieldParams): FieldSeen {
  const value = params.where === "column" ? (COLUMNS[params.field]?.(m) ?? null) : (m.attributes[params.field] ?? null);
  if (value === null) return null;
  switch (params.kind) {
    case "number":
    case "instant":
      return typeof value === "number" && Number.isFinite(value) ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "text":
    case "date":
    case "tier":
      return typeof value === "string" ? value : null;
  }
}
