import type { Source } from "./columns.js";
import type { DateReader } from "./dates.js";
import type { RejectCode } from "./types.js";
import { Invalid, decimalProduct, parseNumber } from "./values.js";

/**
 * Thrown while reading a row that cannot be imported; caught per row and written to the rejects.
 * `choice`: the value was not one of these, and the reason is to end with them (choice-help.ts).
 */
export class RowReject {
  constructor(
    readonly code: RejectCode,
    readonly reason: string,
    readonly choice?: Choice,
  ) {}
}

/** A value that is not one of `choices`. */
export interface Choice {
  readonly value: string;
  readonly choices: readonly string[];
}

/** `label "value"`, the value shortened when long, for reject reasons. */
export function quoteCell(label: string, value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return `${label} ${JSON.stringify(shown)}`;
}

/**
 * Reads typed values from the current row: every cell trimmed, an empty cell is null, a value
 * that does not fit throws a RowReject naming the column (as written in the file), the value and
 * what was expected.
 */
export class Cells {
  fields: readonly string[] = [];

  constructor(private readonly dates: DateReader) {}

  raw(source: Source & { kind: "column" }): string {
    const v = this.fields[source.index];
    if (v === undefined || v.length === 0) return "";
    // Most cells start and end with a printable ASCII character: nothing to trim.
    const a = v.charCodeAt(0);
    const b = v.charCodeAt(v.length - 1);
    return a > 32 && a < 127 && b > 32 && b < 127 ? v : v.trim();
  }

  text(source: Source | undefined): string | null {
    if (source === undefined) return null;
    if (source.kind !== "column") return String(this.number(source));
    const v = this.raw(source);
    return v === "" ? null : v;
  }

  /** A value that must be present; `code` is the reject code when it is empty. */
  required(source: Source, code: RejectCode = "missing-value", why = "a value is required"): string {
    const v = this.text(source);
    if (v === null) throw new RowReject(code, `${source.label} is empty: ${why}`);
    return v;
  }

  /** Applies `parse` to a non-empty cell; null for an empty one. */
  parsed<T>(source: Source | undefined, parse: (text: string) => T | Invalid): T | null {
    if (source === undefined) return null;
    if (source.kind !== "column") return this.number(source) as T | null;
    const v = this.raw(source);
    if (v === "") return null;
    const r = parse(v);
    if (r instanceof Invalid) {
      const reason = `${quoteCell(source.label, v)}: ${r.message}`;
      throw r.choices === undefined ? new RowReject(r.code, reason) : new RowReject(r.code, reason, { value: v, choices: r.choices });
    }
    return r;
  }

  number(source: Source | undefined): number | null {
    if (source === undefined) return null;
    if (source.kind === "column") return this.parsed(source, parseNumber);
    const a = (this.fields[source.left] ?? "").trim();
    const b = (this.fields[source.right] ?? "").trim();
    if (a === "" || b === "") return null;
    const x = parseNumber(a);
    if (x instanceof Invalid) throw new RowReject(x.code, `${quoteCell(source.leftName, a)}: ${x.message}`);
    const y = parseNumber(b);
    if (y instanceof Invalid) throw new RowReject(y.code, `${quoteCell(source.rightName, b)}: ${y.message}`);
    return decimalProduct(x, a, y, b);
  }

  instant(source: Source | undefined): number | null {
    if (source === undefined || source.kind !== "column") return null;
    const v = this.raw(source);
    if (v === "") return null;
    const t = this.dates.instant(v);
    if (t === undefined) throw new RowReject("bad-date", `${quoteCell(source.label, v)}: not a date; ${this.dates.expectedInstant}`);
    return t;
  }

  date(source: Source | undefined): string | null {
    if (source === undefined || source.kind !== "column") return null;
    const v = this.raw(source);
    if (v === "") return null;
    const d = this.dates.date(v);
    if (d === undefined) throw new RowReject("bad-date", `${quoteCell(source.label, v)}: not a date; ${this.dates.expectedDate}`);
    return d;
  }

  /** Like `number`/`instant`, but an empty cell rejects the row. */
  requiredNumber(source: Source): number {
    const n = this.number(source);
    if (n === null) throw new RowReject("missing-value", `${source.label} is empty: a number is required`);
    return n;
  }

  requiredInstant(source: Source): number {
    const t = this.instant(source);
    if (t === null) throw new RowReject("missing-value", `${source.label} is empty: a date is required`);
    return t;
  }
}
