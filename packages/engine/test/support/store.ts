import { DateTime } from "luxon";
import { openStore, type Db } from "../../src/store/store.js";

/*
 * Fixture builders for member data: an in-memory store with the real schema, and one-line
 * inserts that take the values a test cares about and default the rest. Instants may be given as
 * epoch ms or as ISO text (with an offset or zone, or read in `zone`, default UTC).
 */

export type InstantInput = number | string;

/** An empty store with the current schema, in memory. */
export function memoryStore(): Db {
  return openStore(":memory:");
}

/** Epoch ms of an instant given as epoch ms or ISO text ("2026-12-05T09:30" is read in `zone`). */
export function instant(value: InstantInput, zone = "UTC"): number {
  if (typeof value === "number") return value;
  const dt = DateTime.fromISO(value, { zone });
  if (!dt.isValid) throw new Error(`not an ISO date-time: ${value}`);
  return dt.toMillis();
}

export interface MemberInput {
  readonly id: string;
  readonly name?: string | null;
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly wechat_openid?: string | null;
  readonly tier?: string | null;
  readonly points?: number | null;
  readonly city?: string | null;
  readonly gender?: string | null;
  /** YYYY-MM-DD; birth_md is derived. */
  readonly birthday?: string | null;
  readonly joined_at?: InstantInput | null;
  readonly timezone?: string | null;
  readonly consent_sms?: boolean | null;
  readonly consent_email?: boolean | null;
  readonly consent_wechat?: boolean | null;
  readonly referred_by?: string | null;
  /** Custom fields, typed (numbers, booleans, dates as YYYY-MM-DD text). */
  readonly attributes?: Readonly<Record<string, string | number | boolean | null>>;
  readonly extra?: Readonly<Record<string, string>>;
}

export function addMember(db: Db, m: MemberInput): void {
  const bool = (b: boolean | null | undefined): number | null => (b === null || b === undefined ? null : b ? 1 : 0);
  const birthday = m.birthday ?? null;
  db.prepare(
    `INSERT INTO members (id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, birth_md, joined_at,
       timezone, consent_sms, consent_email, consent_wechat, referred_by, attributes, extra)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.id,
    m.name ?? null,
    m.phone ?? null,
    m.email ?? null,
    m.wechat_openid ?? null,
    m.tier ?? null,
    m.points ?? null,
    m.city ?? null,
    m.gender ?? null,
    birthday,
    birthday === null ? null : Number(birthday.slice(5, 7)) * 100 + Number(birthday.slice(8, 10)),
    m.joined_at === null || m.joined_at === undefined ? null : instant(m.joined_at),
    m.timezone ?? null,
    bool(m.consent_sms),
    bool(m.consent_email),
    bool(m.consent_wechat),
    m.referred_by ?? null,
    JSON.stringify(m.attributes ?? {}),
    JSON.stringify(m.extra ?? {}),
  );
}

export interface PurchaseInput {
  readonly member_id: string;
  readonly order_id: string;
  readonly sku?: string;
  readonly purchased_at: InstantInput;
  readonly brand?: string | null;
  readonly category?: string | null;
  /** Default 1; negative for a return. */
  readonly quantity?: number;
  /** Default 100 (negative with a negative quantity). */
  readonly amount?: number;
}

let skuCounter = 0;

export function addPurchase(db: Db, p: PurchaseInput): void {
  const quantity = p.quantity ?? 1;
  db.prepare(
    `INSERT INTO purchases (order_id, sku, member_id, purchased_at, brand, category, quantity, amount)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.order_id,
    p.sku ?? `SKU-${++skuCounter}`,
    p.member_id,
    instant(p.purchased_at),
    p.brand ?? null,
    p.category ?? null,
    quantity,
    p.amount ?? (quantity < 0 ? -100 : 100),
  );
}

export interface PointLotInput {
  readonly member_id: string;
  readonly points: number;
  readonly earned_at: InstantInput;
  readonly expires_at?: InstantInput | null;
  readonly source?: string;
}

export function addPointLot(db: Db, lot: PointLotInput): void {
  db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at, source) VALUES (?, ?, ?, ?, ?)").run(
    lot.member_id,
    lot.points,
    instant(lot.earned_at),
    lot.expires_at === null || lot.expires_at === undefined ? null : instant(lot.expires_at),
    lot.source ?? "import",
  );
}
