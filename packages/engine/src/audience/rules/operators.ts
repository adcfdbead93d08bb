import type { Engine } from "json-rules-engine";
import type { CompareOp } from "@patron/dsl";
import { birthdayMonthDays, birthdayWindowDays, monthDay } from "../../time/local-dates.js";
import type { AgeSeen, BirthdaySeen, ExpiringSeen, FieldSeen, LastPurchaseSeen, OrdersSeen, ReferralsSeen, SpendSeen } from "./facts.js";
import type { BirthdaySpec, DateSpan, FieldValueSpec, LastPurchaseSpec, Operand, QuantitySpec, WindowSpec } from "./specs.js";

/*
 * The custom operators: each decides one kind of condition from an observation fact (facts.ts)
 * and the condition's compiled value (specs.ts), following SEMANTICS.md. Missing values are
 * false whatever the operator (`!=` and `not in` included); aggregates are never missing.
 */

export const OPERATORS = {
  /** The member exists at as-of: no joined_at, or joined_at ≤ as-of. */
  existsAt: "existsAt",
  ordersSatisfy: "ordersSatisfy",
  amountSatisfies: "amountSatisfies",
  lastPurchaseAgo: "lastPurchaseAgo",
  expiringSatisfies: "expiringSatisfies",
  referralsSatisfy: "referralsSatisfy",
  joinedWithin: "joinedWithin",
  birthdayWithin: "birthdayWithin",
  ageSatisfies: "ageSatisfies",
  fieldSatisfies: "fieldSatisfies",
} as const;

export function addOperators(engine: Engine): void {
  // The birthday window's month-days depend only on the member's local date and the window:
  // a few distinct dates per run (one per zone), so worked out once each.
  const monthDays = new Map<string, ReadonlySet<number>>();
  const birthdayHolds = (seen: BirthdaySeen, spec: BirthdaySpec): boolean => {
    if (seen.birthday === null) return false;
    const key = `${seen.today}|${spec.amount}|${spec.unit}`;
    let days = monthDays.get(key);
    if (!days) {
      days = new Set(birthdayMonthDays(seen.today, birthdayWindowDays(seen.today, spec.amount, spec.unit)));
      monthDays.set(key, days);
    }
    return days.has(monthDay(seen.birthday));
  };

  engine.addOperator<FieldSeen, number>(OPERATORS.existsAt, (joinedAt, asOf) => typeof joinedAt !== "number" || joinedAt <= asOf);
  engine.addOperator<OrdersSeen, QuantitySpec>(OPERATORS.ordersSatisfy, (seen, q) => quantityHolds(seen.orders, q));
  engine.addOperator<SpendSeen, QuantitySpec>(OPERATORS.amountSatisfies, (seen, q) => quantityHolds(seen.amount, q));
  engine.addOperator<LastPurchaseSeen, LastPurchaseSpec>(OPERATORS.lastPurchaseAgo, (seen, spec) => lastPurchaseHolds(seen.at, spec));
  engine.addOperator<ExpiringSeen, QuantitySpec>(OPERATORS.expiringSatisfies, (seen, q) => quantityHolds(seen.points, q));
  engine.addOperator<ReferralsSeen, QuantitySpec>(OPERATORS.referralsSatisfy, (seen, q) => quantityHolds(seen.members, q));
  engine.addOperator<FieldSeen, WindowSpec>(
    OPERATORS.joinedWithin,
    (joinedAt, w) => typeof joinedAt === "number" && (w.after === null || joinedAt > w.after) && joinedAt <= w.upTo,
  );
  engine.addOperator<BirthdaySeen, BirthdaySpec>(OPERATORS.birthdayWithin, (seen, spec) => birthdayHolds(seen, spec));
  engine.addOperator<AgeSeen, FieldValueSpec>(OPERATORS.ageSatisfies, (seen, spec) => fieldHolds(seen.age, spec));
  engine.addOperator<FieldSeen, FieldValueSpec>(OPERATORS.fieldSatisfies, (value, spec) => fieldHolds(value, spec));
}

export function quantityHolds(x: number, q: QuantitySpec): boolean {
  return ordered(x, q.op, q.n);
}

/** SEMANTICS.md, `last purchase … ago`: none → false; b = as-of − N units. */
export function lastPurchaseHolds(at: number | null, spec: LastPurchaseSpec): boolean {
  if (at === null) return false;
  switch (spec.op) {
    case ">":
      return at < spec.bound;
    case ">=":
      return at <= spec.bound;
    case "<":
      return at > spec.bound;
    case "<=":
      return at >= spec.bound;
    case "=":
      return spec.boundBefore < at && at <= spec.bound;
    case "!=":
      // Not written by the grammar (`last purchase` takes words); the negation of `exactly`.
      return !(spec.boundBefore < at && at <= spec.bound);
  }
}

/**
 * The length of a `birthday within` window in local days from the member's today: hours round
 * up to whole days; months and years are calendar months and years from today.
 */
export { birthdayWindowDays };

/** A field comparison; a missing value (or a tier outside the configured list) is false. */
export function fieldHolds(value: FieldSeen, spec: FieldValueSpec): boolean {
  const v = comparable(value, spec);
  if (v === null) return false;
  const test = spec.test;
  switch (test.kind) {
    case "compare":
      return compare(v, test.op, test.operand);
    case "in": {
      const any = test.operands.some((operand) => compare(v, "=", operand));
      return test.negated ? !any : any;
    }
    case "between":
      return compare(v, ">=", test.low) && compare(v, "<=", test.high);
  }
}

/** The value as compared: a tier becomes its position in the list, unknown tiers missing. */
function comparable(value: FieldSeen, spec: FieldValueSpec): number | string | boolean | null {
  if (value === null) return null;
  if (spec.fieldKind === "tier") {
    const index = typeof value === "string" ? (spec.tiers ?? []).indexOf(value.toLowerCase()) : -1;
    return index >= 0 ? index : null;
  }
  return value;
}

function compare(v: number | string | boolean, op: CompareOp, operand: Operand): boolean {
  if (isSpan(operand)) return typeof v === "number" && compareInstant(v, op, operand);
  if (typeof v === "boolean" || typeof operand === "boolean") {
    if (op === "=") return v === operand;
    if (op === "!=") return v !== operand;
    return false;
  }
  if (typeof v !== typeof operand) return false;
  return ordered(v, op, operand);
}

/** An instant against a date: the date is the interval [start, end) of its day in the business zone. */
function compareInstant(at: number, op: CompareOp, day: DateSpan): boolean {
  switch (op) {
    case "=":
      return day.start <= at && at < day.end;
    case "!=":
      return !(day.start <= at && at < day.end);
    case ">=":
      return at >= day.start;
    case ">":
      return at >= day.end;
    case "<":
      return at < day.start;
    case "<=":
      return at < day.end;
  }
}

function ordered<T extends number | string>(a: T, op: CompareOp, b: T): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

function isSpan(operand: Operand): operand is DateSpan {
  return typeof operand === "object";
}
