import { DateTime, IANAZone, Settings } from "luxon";
import { ImportError } from "./types.js";

/*
 * Dates in import files.
 *
 * - By default a value is ISO 8601: `2026-11-03`, `2026-11-03T14:20`, `2026-11-03 14:20:00.5`,
 *   `2026-11-03T14:20:00+08:00`, `…Z`. With --date-format (a luxon format such as `M/d/yy H:mm`)
 *   a value may be in that format, or still in ISO 8601 (which is never ambiguous).
 * - Instants (purchased_at, joined_at, earned_at, expires_at): a value without an offset is a
 *   wall-clock time in the import zone (--timezone, default the business zone); a date without a
 *   time is the start of that day there. Stored as epoch milliseconds.
 * - Calendar dates (birthday, custom date fields): the date as written; a time part, if any, is
 *   ignored, and so is an offset (a birthday has no zone). With --date-format, the format's date
 *   part (the format up to its last year/month/day token) is accepted too, so one format such as
 *   `M/d/yy H:mm` also reads a birthday written `5/4/90`.
 * - Two-digit years follow luxon: 00–60 are 20xx, 61–99 are 19xx. Years outside 1000–9999 are
 *   not dates (they are placeholders such as 0001-01-01, or typos).
 *
 * Speed: luxon parses about 10–30k values a second here, too slow for the import target. So
 * ISO 8601 and the common format tokens (y yy yyyy M MM MMM MMMM L LL d dd H HH h hh m mm s ss
 * S SSS a Z ZZ ZZZ, quoted and punctuation literals) are parsed by a compiled regular expression
 * with luxon's meanings; any other token makes the whole format go through luxon. Wall-clock
 * times become instants through a per-hour cache of the zone's offset, taken from luxon and used
 * only for hours whose offset is the same at both ends and round-trips (an hour touched by a
 * daylight-saving change goes through luxon value by value, so gaps and overlaps resolve as
 * luxon resolves them).
 */

export interface DateReader {
  /** Epoch ms of an instant written in `text`, or undefined when it is not a date. */
  instant(text: string): number | undefined;
  /** YYYY-MM-DD of a calendar date written in `text`, or undefined. */
  date(text: string): string | undefined;
  /** "expected …" for a rejected instant. */
  readonly expectedInstant: string;
  /** "expected …" for a rejected calendar date. */
  readonly expectedDate: string;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC when the value has an offset. */
  offset: number | undefined;
}

type FieldParser = (text: string) => Fields | undefined;

/** Throws ImportError for an unknown zone or a format without year, month and day. */
export function createDateReader(zone: string, format?: string): DateReader {
  if (!IANAZone.isValidZone(zone)) {
    throw new ImportError("bad-timezone", `unknown time zone "${zone}"`, "use an IANA zone name such as Asia/Shanghai or Europe/London");
  }
  const toEpoch = wallClockToEpoch(zone);
  const formatted = format === undefined ? undefined : compileFormat(format);
  const datePart = format === undefined ? undefined : compileDatePart(format);
  // The last value read: the rows of one order, or one member's lots, often repeat a date.
  let lastText: string | undefined;
  let lastInstant: number | undefined;
  const instant = (text: string): number | undefined => {
    if (text === lastText) return lastInstant;
    lastText = text;
    lastInstant = readInstant(text);
    return lastInstant;
  };
  const readInstant = (text: string): number | undefined => {
    let f = formatted?.(text);
    if (f === undefined) {
      const fast = isoInstant(text, toEpoch);
      if (fast !== undefined) return fast;
      f = parseIso(text);
    }
    if (f === undefined) return undefined;
    const local = utcOf(f);
    return f.offset !== undefined ? local - f.offset * 60_000 : toEpoch(local);
  };
  const date = (text: string): string | undefined => {
    if (formatted === undefined && isIsoDate(text)) return text;
    const f = formatted?.(text) ?? datePart?.(text) ?? parseIso(text);
    return f === undefined ? undefined : isoDate(f.year, f.month, f.day);
  };
  return {
    instant,
    date,
    expectedInstant:
      format === undefined
        ? "expected ISO 8601 like 2026-11-03T14:20:00+08:00 or use --date-format"
        : `expected the format "${format}" (--date-format) or ISO 8601 like 2026-11-03T14:20:00+08:00`,
    expectedDate:
      format === undefined
        ? "expected a date like 1990-05-04 or use --date-format"
        : `expected the format "${format}" (--date-format) or a date like 1990-05-04`,
  };
}

// ISO 8601 ------------------------------------------------------------------------------------

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

function parseIso(text: string): Fields | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const fraction = m[7];
  let offset: number | undefined;
  if (m[8] !== undefined) offset = 0;
  else if (m[9] !== undefined) offset = (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  return valid({
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    millisecond: fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0")),
    offset,
  });
}

/*
 * The usual shapes of ISO 8601 without the regular expression and the Fields object (a third of
 * an import's time otherwise): YYYY-MM-DD, then optionally T or a blank, HH:MM, :SS, a fraction
 * after a point, and Z or ±HH:MM. Anything else (t, a comma, ±HHMM, blanks before the offset,
 * values out of range) is left to parseIso, so the two always agree.
 */

/** The number of the two digits at text[i], or -1. */
function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a valid year-month-day of the proleptic Gregorian calendar. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

/** The day number (daysFromCivil) of text[0..10) when it is a valid YYYY-MM-DD, or -1e9. */
function isoDay(text: string): number {
  const hi = digits2(text, 0);
  const lo = digits2(text, 2);
  if (hi < 0 || lo < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NOT_A_DAY;
  const year = hi * 100 + lo;
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_A_DAY;
  return daysFromCivil(year, month, day);
}

const NOT_A_DAY = -1e9;

/** `text` is exactly a valid YYYY-MM-DD. */
function isIsoDate(text: string): boolean {
  return text.length === 10 && isoDay(text) !== NOT_A_DAY;
}

/** Epoch ms of an ISO 8601 instant in the usual shapes, or undefined (then parseIso decides). */
function isoInstant(text: string, toEpoch: (local: number) => number): number | undefined {
  const n = text.length;
  if (n < 10) return undefined;
  const day = isoDay(text);
  if (day === NOT_A_DAY) return undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offset: number | undefined; // minutes east of UTC; none: the import zone
  if (n > 10) {
    const t = text.charCodeAt(10);
    if ((t !== 84 && t !== 32) || n < 16 || text.charCodeAt(13) !== 58) return undefined; // T or blank, HH:MM
    hour = digits2(text, 11);
    minute = digits2(text, 14);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
    let i = 16;
    if (i < n && text.charCodeAt(i) === 58) {
      second = digits2(text, i + 1);
      if (second < 0 || second > 59) return undefined;
      i += 3;
      if (i < n && text.charCodeAt(i) === 46) {
        let count = 0;
        for (i++; i < n; i++, count++) {
          const d = text.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          if (count < 3) ms = ms * 10 + d;
        }
        if (count === 0 || count > 9) return undefined;
        if (count === 1) ms *= 100;
        else if (count === 2) ms *= 10;
      }
    }
    if (i < n) {
      const c = text.charCodeAt(i);
      if (c === 90 && i + 1 === n)
        offset = 0; // Z
      else if ((c === 43 || c === 45) && i + 6 === n && text.charCodeAt(i + 3) === 58) {
        const h = digits2(text, i + 1);
        const m = digits2(text, i + 4);
        if (h < 0 || m < 0 || h * 60 + m > 18 * 60) return undefined;
        offset = (c === 45 ? -1 : 1) * (h * 60 + m);
      } else return undefined;
    }
  }
  const local = ((day * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms; // Date.UTC, without its cost
  return offset === undefined ? toEpoch(local) : local - offset * 60_000;
}

// Formats -------------------------------------------------------------------------------------

interface Token {
  readonly literal: boolean;
  readonly val: string;
}

/** luxon's Formatter.parseFormat: runs of one letter are tokens, '…' and other characters literals. */
function tokenize(format: string): Token[] {
  const out: Token[] = [];
  let current = "";
  let run: string | null = null;
  let quoted = false;
  for (const c of format) {
    if (c === "'") {
      if (current.length > 0 || quoted) out.push({ literal: quoted || /^\s+$/.test(current), val: current === "" ? "'" : current });
      run = null;
      current = "";
      quoted = !quoted;
    } else if (quoted) {
      current += c;
    } else if (c === run) {
      current += c;
    } else {
      if (current.length > 0) out.push({ literal: /^\s+$/.test(current), val: current });
      current = c;
      run = c;
    }
  }
  if (current.length > 0) out.push({ literal: quoted || /^\s+$/.test(current), val: current });
  return out;
}

const MONTHS_SHORT = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTHS_LONG = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** Fields plus the 12-hour clock parts, resolved like luxon (12 AM is 0, 1–11 PM add 12). */
interface Scratch extends Fields {
  h12?: number;
  pm?: boolean;
}

type Setter = (f: Scratch, s: string) => void;
interface Unit {
  readonly regex: string;
  /** Absent for literals. */
  readonly set?: Setter;
  /** Extra capture groups inside `regex`. */
  readonly groups?: number;
}

const int =
  (field: "year" | "month" | "day" | "hour" | "minute" | "second" | "millisecond", map?: (n: number) => number): Setter =>
  (f, s) => {
    const n = Number(s);
    f[field] = map ? map(n) : n;
  };

const untruncateYear = (n: number): number => (n > 99 ? n : n > Settings.twoDigitCutoffYear ? 1900 + n : 2000 + n);

/** The regex and setter of a token luxon would read the same way, or undefined (use luxon). */
function unitFor(token: Token): Unit | undefined {
  if (token.literal || !/^[a-zA-Z]/.test(token.val)) return { regex: escapeRegex(token.val) };
  switch (token.val) {
    case "y":
      return { regex: "\\d{1,6}", set: int("year") };
    case "yy":
      return { regex: "\\d{2,4}", set: int("year", untruncateYear) };
    case "yyyy":
      return { regex: "\\d{4}", set: int("year") };
    case "M":
    case "L":
      return { regex: "\\d{1,2}", set: int("month") };
    case "MM":
    case "LL":
      return { regex: "\\d{2}", set: int("month") };
    case "MMM":
    case "LLL":
      return { regex: MONTHS_SHORT.join("|"), set: (f, s) => (f.month = MONTHS_SHORT.indexOf(s.toLowerCase()) + 1) };
    case "MMMM":
    case "LLLL":
      return { regex: MONTHS_LONG.join("|"), set: (f, s) => (f.month = MONTHS_LONG.indexOf(s.toLowerCase()) + 1) };
    case "d":
      return { regex: "\\d{1,2}", set: int("day") };
    case "dd":
      return { regex: "\\d{2}", set: int("day") };
    case "H":
    case "h":
      return { regex: "\\d{1,2}", set: token.val === "h" ? (f, s) => (f.h12 = Number(s)) : int("hour") };
    case "HH":
    case "hh":
      return { regex: "\\d{2}", set: token.val === "hh" ? (f, s) => (f.h12 = Number(s)) : int("hour") };
    case "m":
      return { regex: "\\d{1,2}", set: int("minute") };
    case "mm":
      return { regex: "\\d{2}", set: int("minute") };
    case "s":
      return { regex: "\\d{1,2}", set: int("second") };
    case "ss":
      return { regex: "\\d{2}", set: int("second") };
    case "S":
      return { regex: "\\d{1,3}", set: int("millisecond") };
    case "SSS":
      return { regex: "\\d{3}", set: int("millisecond") };
    case "a":
      return { regex: "AM|PM", set: (f, s) => (f.pm = s.toUpperCase() === "PM") };
    case "Z":
    case "ZZ":
    case "ZZZ":
      return {
        regex: token.val === "ZZZ" ? "([+-]\\d{1,2})(\\d{2})?" : "([+-]\\d{1,2})(?::(\\d{2}))?",
        groups: 2,
        set: () => undefined, // read from the groups in compileFormat
      };
    default:
      return undefined;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
}

/** A parser for `format`; throws ImportError when the format cannot name a date. */
function compileFormat(format: string): FieldParser {
  const tokens = tokenize(format);
  const letters = tokens.filter((t) => !t.literal && /^[a-zA-Z]/.test(t.val)).map((t) => t.val[0]);
  const missing = ["y", "M", "d"].filter((c) => !letters.some((l) => l === c || (c === "M" && l === "L")));
  if (missing.length > 0) {
    const names = missing.map((c) => ({ y: "year (yyyy or yy)", M: "month (M, MM or MMM)", d: "day (d or dd)" })[c as "y" | "M" | "d"]);
    throw new ImportError(
      "bad-date-format",
      `--date-format "${format}" has no ${names.join(", no ")}`,
      "write it with luxon tokens, e.g. M/d/yy H:mm or dd.MM.yyyy HH:mm",
    );
  }
  const units = tokens.map(unitFor);
  if (units.some((u) => u === undefined)) return luxonParser(format);
  return regexParser(units as Unit[], tokens);
}

/** The format cut after its last year/month/day token, for calendar-date columns; undefined if that is the whole format. */
function compileDatePart(format: string): FieldParser | undefined {
  const tokens = tokenize(format);
  let last = -1;
  tokens.forEach((t, i) => {
    if (!t.literal && /^[yMLd]/.test(t.val)) last = i;
  });
  if (last === tokens.length - 1 || last === -1) return undefined;
  const part = tokens.slice(0, last + 1);
  const units = part.map(unitFor);
  if (units.some((u) => u === undefined))
    return luxonParser(part.map((t) => (t.literal || !/^[a-zA-Z]/.test(t.val) ? `'${t.val}'` : t.val)).join(""));
  return regexParser(units as Unit[], part);
}

function regexParser(units: readonly Unit[], tokens: readonly Token[]): FieldParser {
  const regex = new RegExp(`^${units.map((u) => `(${u.regex})`).join("")}$`, "i");
  const offsetUnits = new Set(tokens.map((t, i) => (/^Z{1,3}$/.test(t.val) && !t.literal ? i : -1)).filter((i) => i >= 0));
  return (text) => {
    const m = regex.exec(text);
    if (m === null) return undefined;
    const f: Scratch = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, offset: undefined };
    let g = 1;
    for (let i = 0; i < units.length; i++) {
      const u = units[i] as Unit;
      const s = m[g] ?? "";
      if (offsetUnits.has(i)) {
        const sign = s.startsWith("-") ? -1 : 1;
        f.offset = sign * (Math.abs(Number(m[g + 1])) * 60 + Number(m[g + 2] ?? 0));
      } else if (u.set) {
        u.set(f, s);
      }
      g += 1 + (u.groups ?? 0);
    }
    if (f.h12 !== undefined) {
      f.hour = f.h12 < 12 && f.pm === true ? f.h12 + 12 : f.h12 === 12 && f.pm === false ? 0 : f.h12;
    }
    return valid(f);
  };
}

/** Formats with tokens the regex path does not know: luxon reads them (slower, same meaning). */
function luxonParser(format: string): FieldParser {
  const parser = DateTime.buildFormatParser(format, { locale: "en-US" });
  return (text) => {
    const dt = DateTime.fromFormatParser(text, parser, { zone: "UTC", setZone: true, locale: "en-US" });
    if (!dt.isValid) return undefined;
    const hasOffset = /Z/.test(format.replace(/'[^']*'/g, ""));
    return valid({
      year: dt.year,
      month: dt.month,
      day: dt.day,
      hour: dt.hour,
      minute: dt.minute,
      second: dt.second,
      millisecond: dt.millisecond,
      offset: hasOffset ? dt.offset : undefined,
    });
  };
}

// Checks and arithmetic -----------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function valid(f: Fields): Fields | undefined {
  if (f.year < 1000 || f.year > 9999) return undefined;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) return undefined;
  if (f.hour > 23 || f.minute > 59 || f.second > 59 || f.millisecond > 999) return undefined;
  if (f.offset !== undefined && Math.abs(f.offset) > 18 * 60) return undefined;
  return f;
}

function utcOf(f: Fields): number {
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

const HOUR = 3_600_000;
const IRREGULAR = Number.NaN;

/** Wall-clock time (as if UTC) in `zone` → epoch ms, with the per-hour offset cache described above. */
function wallClockToEpoch(zone: string): (local: number) => number {
  const cache = new Map<number, number>();
  const luxonMillis = (local: number): number => {
    const d = new Date(local);
    return DateTime.fromObject(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        millisecond: d.getUTCMilliseconds(),
      },
      { zone },
    ).toMillis();
  };
  return (local) => {
    const hour = Math.floor(local / HOUR);
    let offset = cache.get(hour);
    if (offset === undefined) {
      const start = hour * HOUR;
      const end = start + HOUR - 1;
      const a = start - luxonMillis(start);
      const b = end - luxonMillis(end);
      offset = a === b ? a : IRREGULAR;
      if (cache.size > 100_000) cache.clear();
      cache.set(hour, offset);
    }
    return Number.isNaN(offset) ? luxonMillis(local) : local - offset;
  };
}
