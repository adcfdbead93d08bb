import { DateTime } from "luxon";
import type { CompareOp } from "@patron/dsl";
import type { ItemSpec, QuantitySpec, WindowSpec } from "./specs.js";

/* Small pieces of the plain words `explain` uses. */

/** `2026-11-03 14:02` in a zone; seconds and milliseconds only when there are some. */
export function instantText(at: number, zone: string): string {
  const dt = DateTime.fromMillis(at, { zone });
  const format = dt.millisecond !== 0 ? "yyyy-MM-dd HH:mm:ss.SSS" : dt.second !== 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm";
  return dt.toFormat(format);
}

/** A number without float noise: 320.5, 1200, 0.3. */
export function numberText(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/** A name as a marketer would write it: bare when it is one word, else in quotes. */
export function nameText(name: string): string {
  return /^[\p{L}\p{N}_-]+$/u.test(name) ? name : JSON.stringify(name);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${numberText(n)} ${n === 1 ? one : many}`;
}

const QUANTITY_WORDS: Record<CompareOp, string> = {
  ">=": "at least",
  "<=": "at most",
  ">": "more than",
  "<": "less than",
  "=": "exactly",
  "!=": "other than",
};

/** `at least 3`. */
export function quantityText(q: QuantitySpec): string {
  return `${QUANTITY_WORDS[q.op]} ${numberText(q.n)}`;
}

/** `≥ gold`. */
export const OP_SYMBOL: Record<CompareOp, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "!=": "≠" };

/** `brand Pantene`, `brand Pantene or "Head & Shoulders"`, `anything`. */
export function itemText(item: ItemSpec): string {
  if (item.by === "anything") return "anything";
  return `${item.by} ${item.names.map(nameText).join(" or ")}`;
}

/** `in the window (2026-10-24 08:00 … 2026-11-22 08:00)`, or `up to the as-of time`. */
export function windowText(window: WindowSpec, zone: string): string {
  if (window.after === null) return "up to the as-of time";
  return `in the window (${instantText(window.after, zone)} … ${instantText(window.upTo, zone)})`;
}

/** The rule every missing value follows, in the words `explain` uses. */
export function missingText(what: string): string {
  return `no ${what} value: a condition on a missing value is false`;
}
