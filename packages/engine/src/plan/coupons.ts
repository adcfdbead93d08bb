import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CouponConfig } from "@patron/config";
import type { Db } from "../store/store.js";

/** A code handed to one member. */
export interface IssuedCoupon {
  readonly name: string;
  readonly value: string;
  readonly code: string;
  /** End of validity (epoch ms), from the coupon's validDays; null when it has none. */
  readonly expiresAt: number | null;
}

/**
 * Hands out coupon codes during planning. `issue` returns undefined when the coupon is spent
 * (its cap reached, or its pool empty): the member is then counted as coupon-exhausted and gets
 * no message without a code. The codes of a page are written with its outbox rows, in one
 * transaction; `release` gives back a code whose message could not be rendered.
 */
export interface CouponIssuer {
  issue(coupon: CouponConfig, memberId: string): IssuedCoupon | undefined;
  release(issued: IssuedCoupon): void;
}

const DAY_MS = 86_400_000;

function expiry(coupon: CouponConfig, asOf: number): number | null {
  return coupon.validDays === undefined ? null : asOf + coupon.validDays * DAY_MS;
}

/** Per coupon: how many more may be issued (cap minus codes already issued). */
function remainingUnderCap(db: Db, coupon: CouponConfig): number {
  if (coupon.cap === undefined) return Number.POSITIVE_INFINITY;
  const issued = db.prepare("SELECT count(*) FROM coupon_codes WHERE coupon = ?").pluck().get(coupon.name) as number;
  return Math.max(0, coupon.cap - issued);
}

/** Reads a pool file: one code per line; blank lines and repeats are skipped. */
export function readPool(file: string): string[] {
  const seen = new Set<string>();
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const code = line.trim();
    if (code !== "") seen.add(code);
  }
  return [...seen];
}

/**
 * The issuer of a real run. Generated codes: the prefix and `length` characters drawn with a
 * cryptographic RNG from the alphabet, unique across every coupon (checked against the issued
 * codes and this run's own, drawn again on a clash). Pool codes: loaded into coupon_pool the first
 * time, handed out in file order, each once.
 */
export class StoreCouponIssuer implements CouponIssuer {
  private readonly remaining = new Map<string, number>();
  private readonly reserved = new Set<string>();
  private readonly poolCursor = new Map<string, number>();
  private readonly taken: Db["prepare"] extends (...a: never[]) => infer S ? S : never;

  constructor(
    private readonly db: Db,
    private readonly asOf: number,
  ) {
    this.taken = db.prepare("SELECT EXISTS (SELECT 1 FROM coupon_codes WHERE code = ?)").pluck();
  }

  issue(coupon: CouponConfig, memberId: string): IssuedCoupon | undefined {
    void memberId;
    let left = this.remaining.get(coupon.name);
    if (left === undefined) left = remainingUnderCap(this.db, coupon);
    if (left <= 0) {
      this.remaining.set(coupon.name, 0);
      return undefined;
    }
    const code = coupon.codes.kind === "generated" ? this.generate(coupon.codes) : this.fromPool(coupon);
    if (code === undefined) return undefined;
    this.remaining.set(coupon.name, left - 1);
    this.reserved.add(code);
    return { name: coupon.name, value: coupon.value, code, expiresAt: expiry(coupon, this.asOf) };
  }

  release(issued: IssuedCoupon): void {
    this.reserved.delete(issued.code);
    this.remaining.set(issued.name, (this.remaining.get(issued.name) ?? 0) + 1);
  }

  /** Forgets this run's reservations once the page holding them is written. */
  committed(codes: readonly string[]): void {
    for (const code of codes) this.reserved.delete(code);
  }

  private generate(codes: { alphabet: string; length: number; prefix: string }): string {
    const alphabet = [...codes.alphabet];
    for (let attempt = 0; attempt < 50; attempt++) {
      let code = codes.prefix;
      for (let i = 0; i < codes.length; i++) code += alphabet[randomInt(alphabet.length)];
      if (!this.reserved.has(code) && this.taken.get(code) === 0) return code;
    }
    throw new Error(
      `could not draw an unused coupon code with prefix "${codes.prefix}" in 50 tries: the alphabet and length leave too few codes; make the codes longer`,
    );
  }

  private fromPool(coupon: CouponConfig): string | undefined {
    if (coupon.codes.kind !== "pool") return undefined;
    if (!this.poolCursor.has(coupon.name)) {
      const loaded = this.db.prepare("SELECT count(*) FROM coupon_pool WHERE coupon = ?").pluck().get(coupon.name) as number;
      if (loaded === 0) {
        const insert = this.db.prepare("INSERT OR IGNORE INTO coupon_pool (coupon, position, code) VALUES (?, ?, ?)");
        const codes = readPool(coupon.codes.file);
        this.db.transaction(() => codes.forEach((code, i) => insert.run(coupon.name, i + 1, code)))();
      }
      this.poolCursor.set(coupon.name, 0);
    }
    const next = this.db.prepare<[string, number], { position: number; code: string }>(
      `SELECT position, code FROM coupon_pool AS p WHERE coupon = ? AND position > ?
         AND NOT EXISTS (SELECT 1 FROM coupon_codes AS c WHERE c.code = p.code) ORDER BY position LIMIT 64`,
    );
    for (const row of next.all(coupon.name, this.poolCursor.get(coupon.name) ?? 0)) {
      this.poolCursor.set(coupon.name, row.position);
      if (!this.reserved.has(row.code)) return row.code;
    }
    return undefined;
  }
}

/**
 * The issuer of a dry run: counts against the same caps and pools but writes nothing, and shows
 * where the code will go (HS-•••••••• for generated codes, "(a code from the pool)" for pools).
 */
export class PreviewCouponIssuer implements CouponIssuer {
  private readonly remaining = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly asOf: number,
  ) {}

  issue(coupon: CouponConfig): IssuedCoupon | undefined {
    let left = this.remaining.get(coupon.name);
    if (left === undefined) {
      left = remainingUnderCap(this.db, coupon);
      if (coupon.codes.kind === "pool") {
        const issued = this.db.prepare("SELECT count(*) FROM coupon_codes WHERE coupon = ?").pluck().get(coupon.name) as number;
        left = Math.min(left, Math.max(0, readPool(coupon.codes.file).length - issued));
      }
    }
    if (left <= 0) return undefined;
    this.remaining.set(coupon.name, left - 1);
    const code = coupon.codes.kind === "generated" ? `${coupon.codes.prefix}${"•".repeat(coupon.codes.length)}` : "(a code from the pool)";
    return { name: coupon.name, value: coupon.value, code, expiresAt: expiry(coupon, this.asOf) };
  }

  release(issued: IssuedCoupon): void {
    this.remaining.set(issued.name, (this.remaining.get(issued.name) ?? 0) + 1);
  }
}
