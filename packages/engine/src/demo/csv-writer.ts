import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DemoGenerator, DEMO_BUSINESS } from "./generator.js";
import type { DemoMember, DemoOptions, DemoSink, DemoSummary } from "./types.js";

/** The canonical columns of product.md ("The command line"); custom fields follow the members' ones. */
export const MEMBER_COLUMNS = [
  "id", "name", "phone", "email", "wechat_openid", "tier", "points", "city", "gender", "birthday", "joined_at",
  "timezone", "consent_sms", "consent_email", "consent_wechat", "referred_by",
] as const; // prettier-ignore
export const PURCHASE_COLUMNS = ["member_id", "purchased_at", "order_id", "sku", "brand", "category", "quantity", "amount"] as const;
export const POINT_COLUMNS = ["member_id", "points", "earned_at", "expires_at"] as const;

export interface DemoCsvFiles {
  readonly members: string;
  readonly purchases: string;
  readonly points: string;
}

/**
 * Writes the same data generateDemoData would put in the store as members.csv, purchases.csv
 * and points.csv in `dir` (created if needed), in the canonical columns, for `patron import`.
 * Instants are ISO 8601 in UTC (`2026-03-01T02:15:00.000Z`), booleans true/false, birthdays
 * YYYY-MM-DD; a missing value is an empty field. Point lots' source is not a canonical column
 * and is left out. Files are written through a buffer, so memory stays flat at any size.
 */
export function writeDemoCsv(dir: string, options: DemoOptions): DemoSummary & { readonly files: DemoCsvFiles } {
  const generator = new DemoGenerator(options);
  const customFields = (options.business ?? DEMO_BUSINESS).fields.filter((f) => !(MEMBER_COLUMNS as readonly string[]).includes(f.name));
  mkdirSync(dir, { recursive: true });
  const files: DemoCsvFiles = {
    members: join(dir, "members.csv"),
    purchases: join(dir, "purchases.csv"),
    points: join(dir, "points.csv"),
  };
  const sink = new CsvSink(
    files,
    customFields.map((f) => f.name),
  );
  try {
    const total = generator.memberCount;
    for (let i = 0; i < total; i++) {
      generator.generate(i, sink);
      if ((i + 1) % 10_000 === 0) options.onProgress?.({ phase: "members", done: i + 1, total });
    }
    options.onProgress?.({ phase: "members", done: total, total });
  } finally {
    sink.close();
  }
  return { ...sink.summary(), files };
}

/** Appends text to a file in ~1 MB writes. */
class BufferedFile {
  private readonly fd: number;
  private buffer = "";

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= 1 << 20) this.drain();
  }

  close(): void {
    this.drain();
    closeSync(this.fd);
  }

  private drain(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer);
    this.buffer = "";
  }
}

class CsvSink implements DemoSink {
  private readonly members: BufferedFile;
  private readonly purchases: BufferedFile;
  private readonly points: BufferedFile;
  private counts = { members: 0, purchases: 0, pointLots: 0, referrals: 0 };

  constructor(
    files: DemoCsvFiles,
    private readonly customFields: readonly string[],
  ) {
    this.members = new BufferedFile(files.members);
    this.purchases = new BufferedFile(files.purchases);
    this.points = new BufferedFile(files.points);
    this.members.write([...MEMBER_COLUMNS, ...customFields].map(field).join(",") + "\n");
    this.purchases.write(PURCHASE_COLUMNS.join(",") + "\n");
    this.points.write(POINT_COLUMNS.join(",") + "\n");
  }

  member(m: DemoMember): void {
    const values: (string | number | boolean | null | undefined)[] = [
      m.id,
      m.name,
      m.phone,
      m.email,
      m.wechatOpenid,
      m.tier,
      m.points,
      m.city,
      m.gender,
      m.birthday,
      iso(m.joinedAt),
      m.timezone,
      m.consentSms,
      m.consentEmail,
      m.consentWechat,
      m.referredBy,
      ...this.customFields.map((name) => m.attributes[name]),
    ];
    this.members.write(values.map(field).join(",") + "\n");
    this.counts.members++;
    if (m.referredBy !== null) this.counts.referrals++;
  }

  purchase(
    memberId: string,
    purchasedAt: number,
    orderId: string,
    sku: string,
    brand: string,
    category: string,
    quantity: number,
    amount: number,
  ): void {
    this.purchases.write(`${memberId},${iso(purchasedAt)},${orderId},${sku},${field(brand)},${category},${quantity},${amount}\n`);
    this.counts.purchases++;
  }

  pointLot(memberId: string, points: number, earnedAt: number, expiresAt: number): void {
    this.points.write(`${memberId},${points},${iso(earnedAt)},${iso(expiresAt)}\n`);
    this.counts.pointLots++;
  }

  close(): void {
    this.members.close();
    this.purchases.close();
    this.points.close();
  }

  summary(): DemoSummary {
    return { ...this.counts };
  }
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** One CSV field (RFC 4180): quoted only when it holds a comma, a quote or a line break. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
