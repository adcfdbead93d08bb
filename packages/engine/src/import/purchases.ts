import { RowReject } from "./cells.js";
import { memberCheck, requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler } from "./handler.js";
import { STAGE } from "./stage.js";

/*
 * Purchases: one row per order line, keyed by (order_id, sku).
 *
 * - Re-import: a key already stored is overwritten with the file's values (and counted updated,
 *   or unchanged when they were equal), so importing the same file again changes nothing.
 * - Several rows of ONE file with the same (order_id, sku) are one order line written in parts
 *   (the UCI log has 733 such rows): their quantities and amounts are added up (counted as
 *   merged). They must agree on member_id, purchased_at, brand and category; a row that does not
 *   is rejected as a conflict naming the earlier line. Adding up within a file, and overwriting
 *   across imports, is what keeps a re-import idempotent without losing a part.
 * - Returns: a negative quantity is a return or cancellation (UCI invoices starting with C). Its
 *   amount is stored negative whatever its sign in the file (some systems write refunds
 *   positive), so `spent` sums are net. A sale (positive quantity) with a negative amount is
 *   rejected; a quantity of 0 is rejected (it is neither a sale nor a return).
 * - An amount of 0 (free items, UCI samples and adjustments) is imported and counted.
 * - A row without a member id (UCI anonymous checkouts) is rejected as "no member id"; a member
 *   id that is not a member is rejected, unless --create-members.
 * - Amounts summed from parts are rounded to 10 decimal places, which removes binary floating
 *   point noise (19.05 + 6.35 + 12.7) and nothing else.
 */
export const PURCHASE_STAGE = `
CREATE TABLE ${STAGE}.purchases_seen (
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  line INTEGER NOT NULL,
  existed INTEGER NOT NULL,
  member_id TEXT, purchased_at INTEGER, brand TEXT, category TEXT, quantity REAL, amount REAL,
  PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;`;

export function purchasesHandler(ctx: HandlerContext): KindHandler {
  const { db, plan, cells, counts } = ctx;
  const src = {
    member: requiredSource(plan, "member_id"),
    at: requiredSource(plan, "purchased_at"),
    order: requiredSource(plan, "order_id"),
    sku: requiredSource(plan, "sku"),
    quantity: requiredSource(plan, "quantity"),
    amount: requiredSource(plan, "amount"),
    brand: plan.canonical.get("brand"),
    category: plan.canonical.get("category"),
  };
  const members = memberCheck(ctx, src.member);
  // First sight of a key in this import: remember it with the values stored before.
  const see = ctx.freshTable
    ? db.prepare(`INSERT OR IGNORE INTO ${STAGE}.purchases_seen (order_id, sku, line, existed) VALUES (?, ?, ?, 0)`)
    : db.prepare(`
    INSERT OR IGNORE INTO ${STAGE}.purchases_seen (order_id, sku, line, existed, member_id, purchased_at, brand, category, quantity, amount)
    SELECT k.o, k.s, k.l, p.order_id IS NOT NULL, p.member_id, p.purchased_at, p.brand, p.category, p.quantity, p.amount
    FROM (SELECT ? AS o, ? AS s, ? AS l) AS k LEFT JOIN main.purchases AS p ON p.order_id = ? AND p.sku = ?`);
  const upsert = db.prepare(`
    INSERT INTO main.purchases (order_id, sku, member_id, purchased_at, brand, category, quantity, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (order_id, sku) DO UPDATE SET
      member_id = excluded.member_id, purchased_at = excluded.purchased_at, brand = excluded.brand,
      category = excluded.category, quantity = excluded.quantity, amount = excluded.amount
    WHERE member_id IS NOT excluded.member_id OR purchased_at IS NOT excluded.purchased_at OR brand IS NOT excluded.brand
      OR category IS NOT excluded.category OR quantity IS NOT excluded.quantity OR amount IS NOT excluded.amount`);
  const firstLine = db.prepare(`SELECT line FROM ${STAGE}.purchases_seen WHERE order_id = ? AND sku = ?`).pluck();
  const current = db.prepare("SELECT member_id, purchased_at, brand, category FROM main.purchases WHERE order_id = ? AND sku = ?");
  const add = db.prepare(
    "UPDATE main.purchases SET quantity = round(quantity + ?, 10), amount = round(amount + ?, 10) WHERE order_id = ? AND sku = ?",
  );

  return {
    row(line) {
      const member = cells.required(src.member, "no-member-id", "no member id");
      const order = cells.required(src.order);
      const sku = cells.required(src.sku);
      const at = cells.requiredInstant(src.at);
      const quantity = cells.requiredNumber(src.quantity);
      let amount = cells.requiredNumber(src.amount);
      const brand = cells.text(src.brand);
      const category = cells.text(src.category);
      if (quantity === 0)
        throw new RowReject("bad-value", `${src.quantity.label} is 0: a purchase has a positive quantity, a return a negative one`);
      if (quantity > 0 && amount < 0) {
        throw new RowReject(
          "bad-value",
          `${src.amount.label} is ${amount} on a sale (quantity ${quantity}): a negative amount needs a negative quantity (a return)`,
        );
      }
      if (quantity < 0 && amount > 0) amount = -amount;
      const create = members.check(member);
      if ((ctx.freshTable ? see.run(order, sku, line) : see.run(order, sku, line, order, sku)).changes === 1) {
        if (create) members.create(member);
        upsert.run(order, sku, member, at, brand, category, quantity, amount);
      } else {
        // A later part of an order line already imported from this file.
        const stored = current.get(order, sku) as StoredLine;
        const differs = firstDifference(stored, { member_id: member, purchased_at: at, brand, category });
        if (differs !== undefined) {
          throw new RowReject(
            "conflict",
            `order ${JSON.stringify(order)} sku ${JSON.stringify(sku)} is also on line ${firstLine.get(order, sku) as number} with ${differs}; rows of one order line must agree on member_id, purchased_at, brand and category (their quantities and amounts are added up)`,
          );
        }
        add.run(quantity, amount, order, sku);
        counts.merged++;
      }
      if (quantity < 0) counts.returns++;
      if (amount === 0) counts.zeroAmount++;
    },
    finish() {
      const r = db
        .prepare(
          `SELECT count(*) AS total, coalesce(sum(NOT s.existed), 0) AS inserted,
             coalesce(sum(s.existed AND (p.member_id IS NOT s.member_id OR p.purchased_at IS NOT s.purchased_at OR p.brand IS NOT s.brand
               OR p.category IS NOT s.category OR p.quantity IS NOT s.quantity OR p.amount IS NOT s.amount)), 0) AS updated
           FROM ${STAGE}.purchases_seen AS s JOIN main.purchases AS p ON p.order_id = s.order_id AND p.sku = s.sku`,
        )
        .get() as { total: number; inserted: number; updated: number };
      counts.inserted += r.inserted;
      counts.updated += r.updated;
      counts.unchanged += r.total - r.inserted - r.updated;
    },
  };
}

interface StoredLine {
  readonly member_id: string;
  readonly purchased_at: number;
  readonly brand: string | null;
  readonly category: string | null;
}

/** `column "stored value"` for the first column where a later part of an order line differs. */
function firstDifference(stored: StoredLine, part: StoredLine): string | undefined {
  if (stored.member_id !== part.member_id) return `member_id ${JSON.stringify(stored.member_id)}`;
  if (stored.purchased_at !== part.purchased_at) return `purchased_at ${JSON.stringify(new Date(stored.purchased_at).toISOString())}`;
  if (stored.brand !== part.brand) return `brand ${JSON.stringify(stored.brand)}`;
  if (stored.category !== part.category) return `category ${JSON.stringify(stored.category)}`;
  return undefined;
}
