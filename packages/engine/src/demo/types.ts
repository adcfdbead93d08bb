import type { FieldInfo } from "@patron/dsl";

/**
 * The parts of a business the demo data must fit: a PatronConfig or a CheckEnvironment has them
 * all (canonical fields in `fields` are ignored: only custom fields are generated).
 */
export interface DemoBusiness {
  /** Tier names, lowest first: the first is the most common. */
  readonly tiers: readonly string[];
  /** The business time zone (IANA). */
  readonly timezone: string;
  /** Custom member fields to fill (patron.yaml members.fields). */
  readonly fields: readonly FieldInfo[];
}

export interface DemoOptions {
  readonly members: number;
  /** Same seed, asOf, size and business: byte-identical data. */
  readonly seed: number;
  /** The instant the data is "now" (epoch ms): nothing is stamped after it. */
  readonly asOf: number;
  /** Default DEMO_BUSINESS (campaigns/patron.yaml's 丽美 Lumière Beauty). */
  readonly business?: DemoBusiness;
  /** Called every few thousand members, and once per phase. */
  readonly onProgress?: (progress: DemoProgress) => void;
}

export interface DemoProgress {
  /** "members": generating and writing rows; "indexes": rebuilding the store's indexes. */
  readonly phase: "members" | "indexes";
  readonly done: number;
  readonly total: number;
}

/** What was written. `purchases` counts rows (order lines and returns alike). */
export interface DemoSummary {
  readonly members: number;
  readonly purchases: number;
  readonly pointLots: number;
  /** Members with a referred_by. */
  readonly referrals: number;
}

/** One generated member, values already in the store's representation (instants in epoch ms). */
export interface DemoMember {
  readonly id: string;
  readonly name: string;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wechatOpenid: string | null;
  readonly tier: string | null;
  readonly points: number;
  readonly city: string | null;
  readonly gender: string | null;
  /** YYYY-MM-DD. */
  readonly birthday: string | null;
  readonly joinedAt: number;
  readonly timezone: string | null;
  readonly consentSms: boolean;
  readonly consentEmail: boolean;
  readonly consentWechat: boolean;
  readonly referredBy: string | null;
  /** Custom fields by name, typed (numbers, booleans, YYYY-MM-DD dates, text). */
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/** Where generated rows go: the store or CSV files. Called member by member, each member's rows after it. */
export interface DemoSink {
  member(member: DemoMember): void;
  purchase(
    memberId: string,
    purchasedAt: number,
    orderId: string,
    sku: string,
    brand: string,
    category: string,
    quantity: number,
    amount: number,
  ): void;
  pointLot(memberId: string, points: number, earnedAt: number, expiresAt: number, source: string): void;
}
