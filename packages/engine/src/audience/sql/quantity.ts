import type { CompareOp, QuantityNode } from "@patron/dsl";
import { sql, type Sql } from "./fragment.js";

/*
 * Quantities (`at least 3`, `< 100`) compared with counts and sums. The comparison operators are
 * a closed set mapped to fixed SQL text; the amount is always a parameter.
 */

const SQL_OPS: Readonly<Record<CompareOp, Sql>> = {
  "=": sql`=`,
  "!=": sql`<>`,
  "<": sql`<`,
  "<=": sql`<=`,
  ">": sql`>`,
  ">=": sql`>=`,
};

export function sqlOp(op: CompareOp): Sql {
  return SQL_OPS[op];
}

export function holds(op: CompareOp, left: number, right: number): boolean {
  switch (op) {
    case "=":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
  }
}

/** `aggregate op ?` for a quantity. */
export function compareAggregate(aggregate: Sql, q: QuantityNode): Sql {
  return sql`${aggregate} ${sqlOp(q.op)} ${q.amount.value}`;
}

/**
 * How a count (a whole number ≥ 0) quantity reduces: "some" when it holds exactly for counts
 * ≥ 1 (at least 1, more than 0, != 0), "none" when it holds exactly for 0 (exactly 0, less than
 * 1, at most 0), else "compare". The first two need no GROUP BY: existence is a plain IN.
 */
export function countShape(q: QuantityNode): "some" | "none" | "compare" {
  const atZero = holds(q.op, 0, q.amount.value);
  const atOne = holds(q.op, 1, q.amount.value);
  // Count quantities are monotone in the count except = and !=; check a few more points.
  const beyond = [2, 3, Math.ceil(Math.abs(q.amount.value)) + 1, Math.ceil(Math.abs(q.amount.value)) + 2];
  if (!atZero && atOne && beyond.every((k) => holds(q.op, k, q.amount.value))) return "some";
  if (atZero && !atOne && beyond.every((k) => !holds(q.op, k, q.amount.value))) return "none";
  return "compare";
}
