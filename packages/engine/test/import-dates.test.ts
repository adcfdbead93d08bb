import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { createDateReader } from "../src/import/dates.js";

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("dates in import files", () => {
  it("reads ISO 8601 dates and date-times; no offset means the import zone", () => {
    const r = createDateReader("Asia/Shanghai");
    expect(iso(r.instant("2026-11-03T14:20:00+08:00"))).toBe("2026-11-03T06:20:00.000Z");
    expect(iso(r.instant("2026-11-03T14:20:00Z"))).toBe("2026-11-03T14:20:00.000Z");
    expect(iso(r.instant("2026-11-03T14:20:00-0530"))).toBe("2026-11-03T19:50:00.000Z");
    expect(iso(r.instant("2026-11-03 14:20"))).toBe("2026-11-03T06:20:00.000Z");
    expect(iso(r.instant("2026-11-03T14:20:05.123456"))).toBe("2026-11-03T06:20:05.123Z");
    expect(iso(r.instant("2026-11-03"))).toBe("2026-11-02T16:00:00.000Z");
  });

  it("reads the usual ISO shapes (parsed without the regular expression) as their fields say", () => {
    const two = (n: number): string => String(n).padStart(2, "0");
    const value = fc.record({
      year: fc.integer({ min: 990, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      time: fc.option(
        fc.record({
          separator: fc.constantFrom("T", " "),
          hour: fc.integer({ min: 0, max: 24 }),
          minute: fc.integer({ min: 0, max: 60 }),
          second: fc.option(fc.integer({ min: 0, max: 60 })),
          fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
          offset: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: -19 * 60, max: 19 * 60 }))),
        }),
      ),
    });
    const zones = ["Asia/Shanghai", "America/New_York", "UTC"];
    fc.assert(
      fc.property(value, fc.constantFrom(...zones), ({ year, month, day, time }, zone) => {
        let text = `${year < 1000 ? String(year).padStart(4, "0") : year}-${two(month)}-${two(day)}`;
        let expected: number | undefined;
        const dateOk = year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
        if (time === null) {
          expected = dateOk ? DateTime.fromObject({ year, month, day }, { zone }).toMillis() : undefined;
        } else {
          const { separator, hour, minute, second, fraction } = time;
          text += `${separator}${two(hour)}:${two(minute)}`;
          if (second !== null) text += `:${two(second)}${fraction === null ? "" : `.${fraction}`}`;
          const offset = time.offset;
          if (offset !== null) {
            const sign = offset < 0 ? "-" : "+";
            text += offset === 0 && hour % 2 === 0 ? "Z" : `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
          }
          const ms = second !== null && fraction !== null ? Number(fraction.slice(0, 3).padEnd(3, "0")) : 0;
          const ok = dateOk && hour <= 23 && minute <= 59 && (second ?? 0) <= 59 && (offset === null || Math.abs(offset) <= 18 * 60);
          const fields = { year, month, day, hour, minute, second: second ?? 0, millisecond: ms };
          expected = !ok
            ? undefined
            : offset === null
              ? DateTime.fromObject(fields, { zone }).toMillis()
              : Date.UTC(year, month - 1, day, hour, minute, second ?? 0, ms) - offset * 60_000;
        }
        // Cut from a longer two-byte text, as the CSV reader hands cells over.
        const cell = `中,${text},`.slice(2, 2 + text.length);
        expect(createDateReader(zone).instant(cell), `${zone} ${text}`).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects what is not a date", () => {
    const r = createDateReader("UTC");
    for (const bad of [
      "2026-13-01",
      "2026-02-29",
      "2026-04-31",
      "2026-11-03T24:00",
      "03/11/2026",
      "yesterday",
      "0001-01-01",
      "2026-11-03T14:20+19:00",
    ]) {
      expect(r.instant(bad), bad).toBeUndefined();
    }
    expect(r.date("2024-02-29")).toBe("2024-02-29");
    expect(r.date("2023-02-29")).toBeUndefined();
  });

  it("takes a calendar date as written, ignoring a time and an offset", () => {
    const r = createDateReader("Pacific/Kiritimati");
    expect(r.date("1990-05-04")).toBe("1990-05-04");
    expect(r.date("1990-05-04T23:30:00-10:00")).toBe("1990-05-04");
  });

  it("resolves wall-clock times around daylight-saving changes as luxon does", () => {
    for (const zone of ["Europe/London", "America/New_York", "Australia/Lord_Howe"]) {
      const r = createDateReader(zone);
      for (const text of [
        "2021-03-28T00:30",
        "2021-03-28T01:00",
        "2021-03-28T01:30",
        "2021-03-28T02:15",
        "2021-10-31T00:59",
        "2021-10-31T01:00",
        "2021-10-31T01:45",
        "2021-10-31T02:00",
        "2021-03-14T02:30",
        "2021-11-07T01:30",
        "2021-04-04T01:45",
        "2021-04-04T02:00",
        "2021-10-03T02:15",
      ]) {
        expect(r.instant(text), `${zone} ${text}`).toBe(DateTime.fromISO(text, { zone }).toMillis());
      }
    }
  });

  it("reads a --date-format with luxon's meaning (the UCI log's M/d/yy H:mm among others)", () => {
    const cases: [string, string[]][] = [
      ["M/d/yy H:mm", ["12/1/10 8:26", "1/13/11 17:05", "12/31/99 23:59", "2/29/24 0:00", "13/1/10 8:26", "2/30/24 1:00", "12/1/10 8:6"]],
      ["dd.MM.yyyy HH:mm:ss", ["03.11.2026 14:20:59", "3.11.2026 14:20:59", "31.04.2026 10:00:00"]],
      ["yyyyMMdd", ["20261103", "2026113", "20261301"]],
      ["d MMM yyyy h:mm a", ["3 Nov 2026 2:20 PM", "3 nov 2026 12:05 am", "3 November 2026 2:20 PM", "12 Dec 2026 12:00 PM"]],
      ["MMMM d, yyyy", ["November 3, 2026", "november 30, 2026", "Nov 3, 2026"]],
      ["yyyy-MM-dd'T'HH:mmZZ", ["2026-11-03T14:20+05:30", "2026-11-03T14:20-08:00", "2026-11-03T14:20+5:30"]],
      ["yyyy-MM-dd HH:mm:ss.SSS ZZZ", ["2026-11-03 14:20:00.250 +0800", "2026-11-03 14:20:00.250 -0330"]],
      ["EEE, d MMM yyyy", ["Tue, 3 Nov 2026", "Mon, 3 Nov 2026"]],
    ];
    for (const zone of ["Europe/London", "Asia/Shanghai"]) {
      for (const [format, values] of cases) {
        const r = createDateReader(zone, format);
        for (const value of values) {
          const dt = DateTime.fromFormat(value, format, { zone, locale: "en-US" });
          const expected = dt.isValid && dt.year >= 1000 ? dt.toMillis() : undefined;
          expect(r.instant(value), `${format} ${value}`).toBe(expected);
        }
      }
    }
  });

  it("still reads ISO 8601 with a --date-format, and reads calendar dates by the format's date part", () => {
    const r = createDateReader("Europe/London", "M/d/yy H:mm");
    expect(iso(r.instant("2010-12-01T08:26:00Z"))).toBe("2010-12-01T08:26:00.000Z");
    expect(r.date("5/4/90")).toBe("1990-05-04");
    expect(r.date("5/4/90 10:00")).toBe("1990-05-04");
    expect(r.date("1990-05-04")).toBe("1990-05-04");
    expect(r.expectedInstant).toBe('expected the format "M/d/yy H:mm" (--date-format) or ISO 8601 like 2026-11-03T14:20:00+08:00');
  });

  it("refuses a format that cannot name a day, and an unknown zone", () => {
    expect(() => createDateReader("UTC", "HH:mm")).toThrow(
      '--date-format "HH:mm" has no year (yyyy or yy), no month (M, MM or MMM), no day (d or dd)',
    );
    expect(() => createDateReader("UTC", "MM/yyyy")).toThrow("has no day");
    expect(() => createDateReader("Europe/Londn")).toThrow('unknown time zone "Europe/Londn"');
  });
});
