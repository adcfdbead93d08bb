import type { Db } from "../../store/store.js";
import type { MemberRow } from "../../store/member-row.js";

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

/** A member's purchases, point lots and referrals that exist at as-of. */
export interface MemberHistory {
  purchases(memberId: string): readonly PurchaseRecord[];
  pointLots(memberId: string): readonly PointLotRecord[];
  referrals(memberId: string): readonly ReferralRecord[];
}

/** A page of members in id order, and the history of exactly these members. */
export interface MemberPage {
  readonly members: readonly MemberRecord[];
  readonly history: MemberHistory;
}

const MEMBER_COLUMNS = `id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, joined_at, timezone,
  consent_sms, consent_email, consent_wechat, referred_by, attributes`;

/**
 * Prepared statements over one store, made once per database handle and reused for every
 * member (`memberData(db)` caches them). All reads; nothing here writes.
 *
 * Two ways to read history: for one member (`history`, three small indexed queries, each run
 * only if a condition asks), and for a page of members in id order (`pages`, one range query
 * per kind over the page's ids, again only if asked), which is how the whole-store audience
 * avoids a round of statements per member.
 */
export class MemberData {
  private readonly memberStmt;
  private readonly pageStmt;
  private readonly purchasesStmt;
  private readonly lotsStmt;
  private readonly referralsStmt;
  private readonly pagePurchasesStmt;
  private readonly pageLotsStmt;
  private readonly pageReferralsStmt;
  private readonly idsFromStmt;
  private readonly idsBeforeStmt;
  private readonly idsNoCaseStmt;

  constructor(readonly db: Db) {
    this.memberStmt = db.prepare<[string], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE id = ?`);
    this.pageStmt = db.prepare<[string, number], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE id > ? ORDER BY id LIMIT ?`);
    const purchase = "order_id AS orderId, sku, brand, category, purchased_at AS purchasedAt, quantity, amount";
    this.purchasesStmt = db.prepare<[string, number], PurchaseRecord>(
      `SELECT ${purchase} FROM purchases WHERE member_id = ? AND purchased_at <= ? ORDER BY purchased_at, order_id, sku`,
    );
    this.pagePurchasesStmt = db.prepare<[string, string, number], PurchaseRecord & Owned>(
      `SELECT member_id AS owner, ${purchase} FROM purchases
        WHERE member_id BETWEEN ? AND ? AND purchased_at <= ? ORDER BY member_id, purchased_at, order_id, sku`,
    );
    const lot = "points, earned_at AS earnedAt, expires_at AS expiresAt";
    this.lotsStmt = db.prepare<[string, number], PointLotRecord>(
      `SELECT ${lot} FROM point_lots WHERE member_id = ? AND earned_at <= ? ORDER BY expires_at, earned_at`,
    );
    this.pageLotsStmt = db.prepare<[string, string, number], PointLotRecord & Owned>(
      `SELECT member_id AS owner, ${lot} FROM point_lots
        WHERE member_id BETWEEN ? AND ? AND earned_at <= ? ORDER BY member_id, expires_at, earned_at`,
    );
    this.referralsStmt = db.prepare<[string, number], ReferralRecord>(
      `SELECT id AS memberId, joined_at AS joinedAt FROM members
        WHERE referred_by = ? AND joined_at IS NOT NULL AND joined_at <= ? ORDER BY joined_at, id`,
    );
    this.pageReferralsStmt = db.prepare<[string, string, number], ReferralRecord & Owned>(
      `SELECT referred_by AS owner, id AS memberId, joined_at AS joinedAt FROM members
        WHERE referred_by BETWEEN ? AND ? AND joined_at IS NOT NULL AND joined_at <= ? ORDER BY referred_by, joined_at, id`,
    );
    this.idsFromStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id >= ? ORDER BY id LIMIT 5").pluck();
    this.idsBeforeStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id < ? ORDER BY id DESC LIMIT 5").pluck();
    this.idsNoCaseStmt = db.prepare<[string], string>("SELECT id FROM members WHERE id = ? COLLATE NOCASE LIMIT 5").pluck();
  }

  /** The member, or undefined when no member has this id. */
  member(id: string): MemberRecord | undefined {
    const row = this.memberStmt.get(id);
    return row && toMemberRecord(row);
  }

  /** History read member by member, as of an instant. */
  history(asOf: number): MemberHistory {
    return {
      purchases: (memberId) => this.purchasesStmt.all(memberId, asOf),
      pointLots: (memberId) => this.lotsStmt.all(memberId, asOf),
      referrals: (memberId) => this.referralsStmt.all(memberId, asOf),
    };
  }

  /**
   * Every member, in the store's id order (SQLite's binary collation, as `ORDER BY id`), a page
   * at a time, read by key: no statement stays open between pages, so the caller may read other
   * tables while going through them.
   */
  *pages(asOf: number, pageSize = 1000): Generator<MemberPage, void, undefined> {
    // Keys are read after the last one seen; the empty string sorts first and is read on its own.
    const empty = this.memberStmt.get("");
    if (empty) yield { members: [toMemberRecord(empty)], history: this.history(asOf) };
    let after = "";
    for (;;) {
      const rows = this.pageStmt.all(after, pageSize);
      const first = rows[0];
      const last = rows[rows.length - 1];
      if (!first || !last) return;
      yield { members: rows.map(toMemberRecord), history: this.pageHistory(first.id, last.id, asOf) };
      if (rows.length < pageSize) return;
      after = last.id;
    }
  }

  private pageHistory(first: string, last: string, asOf: number): MemberHistory {
    const lazily = <T extends Owned>(read: () => T[]): ((memberId: string) => readonly T[]) => {
      let byMember: Map<string, T[]> | undefined;
      return (memberId) => {
        byMember ??= groupByOwner(read());
        return byMember.get(memberId) ?? [];
      };
    };
    return {
      purchases: lazily(() => this.pagePurchasesStmt.all(first, last, asOf)),
      pointLots: lazily(() => this.pageLotsStmt.all(first, last, asOf)),
      referrals: lazily(() => this.pageReferralsStmt.all(first, last, asOf)),
    };
  }

  /**
   * Ids that might be the one meant by an id no member has: the same id in another case or
   * with spaces trimmed, and the ids next to it in sort order (where a typo in the last
   * characters lands). Reads a few index entries, except for the case-insensitive match, which
   * scans the table but only runs for a mistyped id.
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
}

/** A row read for a page, with the member it belongs to. */
interface Owned {
  readonly owner: string;
}

function groupByOwner<T extends Owned>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.owner);
    if (list) list.push(row);
    else out.set(row.owner, [row]);
  }
  return out;
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
