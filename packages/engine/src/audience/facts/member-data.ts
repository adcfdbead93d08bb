import type { Db } from "../../store/store.js";

/*
 * One member's data as the per-member evaluator sees it: the row of `members` with typed values
 * and custom attributes parsed from JSON, and the member's purchases, point lots and referrals.
 * Only data that exists at the as-of instant is loaded (SEMANTICS.md, "Existence"): purchases
 * stamped up to as-of, lots earned up to as-of, referred members who joined up to as-of. The
 * member row itself is loaded whatever its joined_at; whether the member exists at as-of is a
 * condition of the rule, so `explain` can say why a member who joined later is in no audience.
 */

/** A custom attribute as stored in `attributes` (numbers as numbers, dates as YYYY-MM-DD). */
export type AttributeValue = string | number | boolean | null;

export interface MemberRecord {
  readonly id: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wechat_openid: string | null;
  readonly tier: string | null;
  readonly points: number | null;
  readonly city: string | null;
  readonly gender: string | null;
  /** YYYY-MM-DD. */
  readonly birthday: string | null;
  /** Epoch ms. */
  readonly joined_at: number | null;
  readonly timezone: string | null;
  readonly consent_sms: boolean | null;
  readonly consent_email: boolean | null;
  readonly consent_wechat: boolean | null;
  readonly referred_by: string | null;
  /** Custom fields declared in patron.yaml, by their declared name. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface PurchaseRecord {
  readonly orderId: string;
  readonly sku: string;
  readonly brand: string | null;
  readonly category: string | null;
  /** Epoch ms. */
  readonly purchasedAt: number;
  /** Negative for a return. */
  readonly quantity: number;
  readonly amount: number;
}

export interface PointLotRecord {
  readonly points: number;
  readonly earnedAt: number;
  readonly expiresAt: number | null;
}

/** A member this member referred, who had joined by as-of. */
export interface ReferralRecord {
  readonly memberId: string;
  readonly joinedAt: number;
}

interface MemberRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  wechat_openid: string | null;
  tier: string | null;
  points: number | null;
  city: string | null;
  gender: string | null;
  birthday: string | null;
  joined_at: number | null;
  timezone: string | null;
  consent_sms: number | null;
  consent_email: number | null;
  consent_wechat: number | null;
  referred_by: string | null;
  attributes: string;
}

/**
 * Prepared statements over one store, made once per database and reused for every member
 * (`memberData(db)` caches them). All reads; nothing here writes.
 */
export class MemberData {
  private readonly memberStmt;
  private readonly purchasesStmt;
  private readonly lotsStmt;
  private readonly referralsStmt;
  private readonly idsStmt;
  private readonly idsFromStmt;
  private readonly idsBeforeStmt;
  private readonly idsNoCaseStmt;

  constructor(readonly db: Db) {
    this.memberStmt = db.prepare<[string], MemberRow>(
      `SELECT id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, joined_at, timezone,
              consent_sms, consent_email, consent_wechat, referred_by, attributes
         FROM members WHERE id = ?`,
    );
    this.purchasesStmt = db.prepare<[string, number], PurchaseRecord>(
      `SELECT order_id AS orderId, sku, brand, category, purchased_at AS purchasedAt, quantity, amount
         FROM purchases WHERE member_id = ? AND purchased_at <= ? ORDER BY purchased_at, order_id, sku`,
    );
    this.lotsStmt = db.prepare<[string, number], PointLotRecord>(
      `SELECT points, earned_at AS earnedAt, expires_at AS expiresAt
         FROM point_lots WHERE member_id = ? AND earned_at <= ? ORDER BY expires_at, earned_at`,
    );
    this.referralsStmt = db.prepare<[string, number], ReferralRecord>(
      `SELECT id AS memberId, joined_at AS joinedAt
         FROM members WHERE referred_by = ? AND joined_at IS NOT NULL AND joined_at <= ? ORDER BY joined_at, id`,
    );
    this.idsStmt = db.prepare<[], string>("SELECT id FROM members ORDER BY id").pluck();
    this.idsFromStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id >= ? ORDER BY id LIMIT 5").pluck();
    this.idsBeforeStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id < ? ORDER BY id DESC LIMIT 5").pluck();
    this.idsNoCaseStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id = ? COLLATE NOCASE LIMIT 5").pluck();
  }

  /** The member, or undefined when no member has this id. */
  member(id: string): MemberRecord | undefined {
    const row = this.memberStmt.get(id);
    return row && toMemberRecord(row);
  }

  purchases(memberId: string, asOf: number): PurchaseRecord[] {
    return this.purchasesStmt.all(memberId, asOf);
  }

  pointLots(memberId: string, asOf: number): PointLotRecord[] {
    return this.lotsStmt.all(memberId, asOf);
  }

  referrals(memberId: string, asOf: number): ReferralRecord[] {
    return this.referralsStmt.all(memberId, asOf);
  }

  /**
   * Ids that might be the one meant by an id no member has: the same id in another case or
   * with spaces trimmed, and the ids next to it in sort order (where a typo in the last
   * characters lands). Reads a few index entries, never the whole table, except for the
   * case-insensitive match, which is a scan but only runs for a mistyped id.
   */
  nearbyIds(id: string): string[] {
    const trimmed = id.trim();
    const found = new Set<string>([
      ...this.idsNoCaseStmt.all(trimmed),
      ...this.idsBeforeStmt.all(trimmed),
      ...this.idsFromStmt.all(trimmed),
    ]);
    return [...found];
  }

  /** Every member id, in the store's order (SQLite's binary collation, as `ORDER BY id`). */
  memberIds(): string[] {
    return this.idsStmt.all();
  }
}

const cache = new WeakMap<Db, MemberData>();

/** The member-data reader of a store, made once per database handle. */
export function memberData(db: Db): MemberData {
  let data = cache.get(db);
  if (!data) {
    data = new MemberData(db);
    cache.set(db, data);
  }
  return data;
}

function toMemberRecord(row: MemberRow): MemberRecord {
  return {
    id: row.id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    wechat_openid: row.wechat_openid,
    tier: row.tier,
    points: row.points,
    city: row.city,
    gender: row.gender,
    birthday: row.birthday,
    joined_at: row.joined_at,
    timezone: row.timezone,
    consent_sms: toBoolean(row.consent_sms),
    consent_email: toBoolean(row.consent_email),
    consent_wechat: toBoolean(row.consent_wechat),
    referred_by: row.referred_by,
    attributes: parseAttributes(row.attributes),
  };
}

function toBoolean(value: number | null): boolean | null {
  return value === null ? null : value !== 0;
}

/** The `attributes` JSON object; anything that is not one reads as no attributes at all. */
function parseAttributes(json: string): Record<string, AttributeValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) out[key] = value;
  }
  return out;
}
