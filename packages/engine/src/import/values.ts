import { IANAZone } from "luxon";
import type { RejectCode } from "./types.js";

/*
 * Cell values, parsed at the edge into typed values. Every cell is trimmed first; an empty cell
 * is "no value" (NULL, or the key left out of attributes/extra).
 *
 * - Numbers are plain decimals: 12, -3, 4.50, .5. No thousands separators, no exponents, no
 *   currency signs: "1,234" is rejected rather than read as 1 or 1234.
 * - Booleans: true/false, 1/0, yes/no, y/n, t/f, 是/否 (case-insensitive).
 * - gender is stored as female, male or other (the values campaigns compare with):
 *   female ← f, female, w, woman, 女, 女性; male ← m, male, man, 男, 男性;
 *   other ← o, other, x, non-binary, nonbinary, diverse, 其他. "u", "unknown", "未知", "保密"
 *   mean not known and are stored as NULL. Anything else rejects the row.
 * - tier must be one of patron.yaml's tiers (any case) and is stored as spelled there.
 * - A custom text field with a closed list of values: one of them (any case), stored as spelled
 *   in patron.yaml.
 * - timezone must be an IANA zone name; it is stored as the zone database spells it. A member
 *   with an unknown zone is rejected rather than silently moved to the business zone.
 * - email must look like name@domain.tld (one @, no blanks); phone and the other text fields are
 *   kept as written.
 */

/**
 * A cell that does not fit: the reject code, and what is wrong with it and what was expected.
 * A value that is not one of `choices` says only that (`not a tier of patron.yaml`): the list,
 * and the nearest choice, are worded by the importer's thread (choice-help.ts), because finding
 * the nearest needs the campaign language, which the reading thread does not load.
 */
export class Invalid {
  constructor(
    readonly code: RejectCode,
    readonly message: string,
    readonly choices?: readonly string[],
  ) {}
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export function parseNumber(text: string): number | Invalid {
  const fast = plainDecimal(text);
  if (fast !== undefined) return fast;
  if (!DECIMAL.test(text)) {
    return new Invalid(
      "bad-number",
      /^[+-]?[\d.]+(,\d{3})+(\.\d*)?$/.test(text)
        ? "not a number; expected a plain number without thousands separators, like 1234.5"
        : "not a number; expected a number like 12 or 4.50",
    );
  }
  return Number(text);
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Number(text) for a text DECIMAL accepts (an optional sign, digits and at most one point), read
 * without the regular expression and the generic conversion; undefined for anything else. Up to
 * 15 digits the digits are an exact integer m and 10^k is exact, so m / 10^k is the double
 * nearest the decimal, which is what Number gives; longer ones are left to Number.
 */
function plainDecimal(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  let sign = 1;
  const first = text.charCodeAt(0);
  if (first === 45) {
    sign = -1; // -
    i = 1;
  } else if (first === 43) i = 1; // +
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return undefined;
  }
  if (digits === 0) return undefined;
  if (digits > 15) return Number(text);
  return sign * (decimals <= 0 ? m : m / (POWERS_OF_TEN[decimals] as number));
}

/** Digits after the decimal point of a plain decimal (for exact products). */
export function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

/** a × b in decimal: rounded to the decimals of the two factors, so 6 × 2.55 is 15.3, not 15.299999999999999. */
export function decimalProduct(a: number, aText: string, b: number, bText: string): number {
  const places = decimals(aText) + decimals(bText);
  const product = a * b;
  return places <= 15 ? Number(product.toFixed(places)) : product;
}

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["t", true],
  ["yes", true],
  ["y", true],
  ["1", true],
  ["是", true],
  ["false", false],
  ["f", false],
  ["no", false],
  ["n", false],
  ["0", false],
  ["否", false],
]);

export function parseBoolean(text: string): boolean | Invalid {
  const b = BOOLEANS.get(text.toLowerCase());
  return b ?? new Invalid("bad-boolean", "not a yes/no value; expected true or false (also yes/no, y/n, 1/0)");
}

const GENDERS: ReadonlyMap<string, "female" | "male" | "other" | null> = new Map([
  ...["f", "female", "w", "woman", "女", "女性"].map((k) => [k, "female"] as const),
  ...["m", "male", "man", "男", "男性"].map((k) => [k, "male"] as const),
  ...["o", "other", "x", "non-binary", "nonbinary", "diverse", "其他"].map((k) => [k, "other"] as const),
  ...["u", "unknown", "未知", "保密"].map((k) => [k, null] as const),
]);

export function parseGender(text: string): "female" | "male" | "other" | null | Invalid {
  const g = GENDERS.get(text.toLowerCase());
  return g === undefined ? new Invalid("bad-gender", "not a gender; expected female, male or other (also f/m/o, 女/男), or unknown") : g;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(text: string): string | Invalid {
  return EMAIL.test(text) ? text : new Invalid("bad-email", "not an email address; expected one like name@example.com");
}

/** One of `choices` in any case → the configured spelling (see Invalid for the reason of a miss). */
export function choiceParser(choices: readonly string[], code: RejectCode, what: string): (text: string) => string | Invalid {
  const byLower = new Map(choices.map((c) => [c.toLowerCase(), c]));
  return (text) => byLower.get(text.toLowerCase()) ?? new Invalid(code, `not ${what}`, choices);
}

const zoneNames = new Map<string, string | undefined>();

export function parseTimezone(text: string): string | Invalid {
  let name = zoneNames.get(text);
  if (!zoneNames.has(text)) {
    name = IANAZone.isValidZone(text) ? new Intl.DateTimeFormat("en-US", { timeZone: text }).resolvedOptions().timeZone : undefined;
    if (zoneNames.size > 10_000) zoneNames.clear();
    zoneNames.set(text, name);
  }
  return name ?? new Invalid("bad-timezone", "not a time zone; expected an IANA name like Asia/Shanghai or Europe/London");
}
