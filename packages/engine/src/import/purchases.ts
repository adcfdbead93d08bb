import { RowReject } from "./cells.js";
import type { ColumnPlan } from "./columns.js";
import { checkMembers, memberCheck, requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler, MemberCheck } from "./handler.js";
import { HELD_ROWS, HeldRows } from "./held-rows.js";
import type { RowParser, SqlValue, ValueType } from "./rows.js";
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
 *
 * Two ways to get there. Into an empty table (a bulk load, bulk.ts), rows are held back and
 * written many to a statement with INSERT OR IGNORE, each with its line as rowid; a row the
 * UNIQUE (order_id, sku) ignored repeats an earlier row of the file, found by its key, whose
 * rowid is the line to name. Into a table with rows, the stage (stage.ts) remembers each key's
 * first line and the values stored before the import, to count updated and unchanged rows.
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
  const members = memberCheck(ctx, requiredSource(ctx.plan, "member_id"));
  return ctx.freshTable ? bulkPurchases(ctx, members) : stagedPurchases(ctx, members);
}

/**
 * The indexes a bulk load keeps while the rows come in their order (bulk.ts): by member (a
 * member's history in one place), or by time (a log of orders).
 */
export const PURCHASE_ORDERED_INDEXES = ["purchases_member_time", "purchases_time"];

const COLUMNS = ["order_id", "sku", "member_id", "purchased_at", "brand", "category", "quantity", "amount"];
// Positions in COLUMNS.
const ORDER = 0;
const SKU = 1;
const MEMBER = 2;
const AT = 3;
const BRAND = 4;
const CATEGORY = 5;
const QUANTITY = 6;
const AMOUNT = 7;
const RETURN = 1;
const ZERO_AMOUNT = 2;

/** A row's values, in COLUMNS order. */
const TYPES: readonly ValueType[] = ["text", "text", "text", "number", "text", "text", "number", "number"];

/** Reads a row into its values (COLUMNS), checked but for its member (see MemberCheck). */
export function purchaseParser(plan: ColumnPlan): RowParser {
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
  return {
    types: TYPES,
    read(cells, out) {
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
      out[ORDER] = order;
      out[SKU] = sku;
      out[MEMBER] = member;
      out[AT] = at;
      out[BRAND] = brand;
      out[CATEGORY] = category;
      out[QUANTITY] = quantity;
      out[AMOUNT] = amount;
    },
  };
}

/**
 * Into an empty table: rows held back and written many at a time, each with its line as rowid.
 * Their members are looked up together when they are written.
 */
function bulkPurchases(ctx: HandlerContext, members: MemberCheck): KindHandler {
  const { db, counts } = ctx;
  // Beside each held row: where it is in the batch (for its cells), and in `flags` what it counts as.
  const held = new HeldRows<number>(db, "purchases", COLUMNS);
  const flags = new Uint8Array(HELD_ROWS);
  const stored = db.prepare("SELECT rowid, member_id, purchased_at, brand, category FROM main.purchases WHERE order_id = ? AND sku = ?");
  const add = db.prepare("UPDATE main.purchases SET quantity = round(quantity + ?, 10), amount = round(amount + ?, 10) WHERE rowid = ?");

  const imported = (i: number, create: boolean): void => {
    if (create) members.create(held.value(i, MEMBER) as string);
    const f = flags[i] as number;
    if (f & RETURN) counts.returns++;
    if (f & ZERO_AMOUNT) counts.zeroAmount++;
  };

  // The order the rows came in so far (see PURCHASE_ORDERED_INDEXES); null once broken.
  let lastMember: string | null = "";
  let lastAt: number | null = Number.NEGATIVE_INFINITY;

  return {
    row(line, v, rowAt) {
      const member = v[MEMBER] as string;
      const at = v[AT] as number;
      const quantity = v[QUANTITY] as number;
      const amount = v[AMOUNT] as number;
      // (JavaScript's string order, not quite SQLite's byte order: a wrong guess only costs time.)
      if (lastMember !== null) {
        if (member < lastMember) {
          ctx.dropIndex("purchases_member_time");
          lastMember = null;
        } else lastMember = member;
      }
      if (lastAt !== null) {
        if (at < lastAt) {
          ctx.dropIndex("purchases_time");
          lastAt = null;
        } else lastAt = at;
      }
      flags[held.size] = (quantity < 0 ? RETURN : 0) | (amount === 0 ? ZERO_AMOUNT : 0);
      held.row(line, rowAt);
      for (let c = 0; c < COLUMNS.length; c++) held.put(v[c] as SqlValue);
      if (held.full) this.flush();
    },
    flush() {
      const n = held.size;
      if (n === 0) return;
      const { unknown, skip } = checkMembers(held, MEMBER, members, ctx.createMembers);
      const written = held.write(skip);
      counts.inserted += written.count;
      if (written.all && skip === undefined && unknown.size === 0) {
        // Every row written, no member to create: only the counts (most flushes of a big file).
        for (let i = 0; i < n; i++) imported(i, false);
        held.clear();
        return;
      }
      for (let i = 0; i < n; i++) {
        const line = held.line(i);
        const member = held.value(i, MEMBER) as string;
        if (skip?.has(i)) {
          ctx.reject(line, ctx.cellsAt(held.extra(i)), "unknown-member", members.unknownReason(member));
          continue;
        }
        if (written.has(line)) {
          imported(i, unknown.has(member));
          continue;
        }
        // Ignored: the key was written before, from an earlier line of this file.
        const order = held.value(i, ORDER) as string;
        const sku = held.value(i, SKU) as string;
        const first = stored.get(order, sku) as (StoredLine & { rowid: number }) | undefined;
        if (first === undefined) throw new Error(`internal: order ${order} sku ${sku} of line ${line} was neither written nor found`);
        const part: StoredLine = {
          member_id: member,
          purchased_at: held.value(i, AT) as number,
          brand: held.value(i, BRAND) as string | null,
          category: held.value(i, CATEGORY) as string | null,
        };
        const differs = firstDifference(first, part);
        if (differs !== undefined) {
          ctx.reject(line, ctx.cellsAt(held.extra(i)), "conflict", conflictReason(order, sku, first.rowid, differs));
          continue;
        }
        add.run(held.value(i, QUANTITY), held.value(i, AMOUNT), first.rowid);
        counts.merged++;
        imported(i, false); // the member is the first row's
      }
      held.clear();
    },
    finish() {},
  };
}

/** Into a table with rows: one row at a time, the stage remembering what the import has seen. */
function stagedPurchases(ctx: HandlerContext, members: MemberCheck): KindHandler {
  const { db, counts } = ctx;
  // First sight of a key in this import: remember it with the values stored before.
  const see = db.prepare(`
    INSERT OR IGNORE INTO ${STAGE}.purchases_seen (order_id, sku, line, existed, member_id, purchased_at, brand, category, quantity, amount)
    SELECT k.o, k.s, k.l, p.order_id IS NOT NULL, p.member_id, p.purchased_at, p.brand, p.category, p.quantity, p.amount
    FROM (SELECT ? AS o, ? AS s, ? AS l) AS k LEFT JOIN main.purchases AS p ON p.order_id = ? AND p.sku = ?`);
  const upsert = db.prepare(`
    INSERT INTO main.purchases (${COLUMNS.join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
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
    row(line, v) {
      const order = v[ORDER] as string;
      const sku = v[SKU] as string;
      const member = v[MEMBER] as string;
      const at = v[AT] as number;
      const brand = v[BRAND] as string | null;
      const category = v[CATEGORY] as string | null;
      const quantity = v[QUANTITY] as number;
      const amount = v[AMOUNT] as number;
      const create = members.check(member);
      if (see.run(order, sku, line, order, sku).changes === 1) {
        if (create) members.create(member);
        upsert.run(order, sku, member, at, brand, category, quantity, amount);
      } else {
        // A later part of an order line already imported from this file.
        const stored = current.get(order, sku) as StoredLine;
        const differs = firstDifference(stored, { member_id: member, purchased_at: at, brand, category });
        if (differs !== undefined)
          throw new RowReject("conflict", conflictReason(order, sku, firstLine.get(order, sku) as number, differs));
        add.run(quantity, amount, order, sku);
        counts.merged++;
      }
      if (quantity < 0) counts.returns++;
      if (amount === 0) counts.zeroAmount++;
    },
    flush() {},
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

function conflictReason(order: string, sku: string, firstLine: number, differs: string): string {
  return `order ${JSON.stringify(order)} sku ${JSON.stringify(sku)} is also on line ${firstLine} with ${differs}; rows of one order line must agree on member_id, purchased_at, brand and category (their quantities and amounts are added up)`;
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
