import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvTokenizer, readCsvBatches } from "../src/import/csv-reader.js";
import type { CsvRecord } from "../src/import/csv-reader.js";
import { ImportError } from "../src/import/types.js";

/** Records of `text` fed in pieces cut at `cuts` (all of it at once by default). */
function records(text: string, cuts: number[] = []): CsvRecord[] {
  const t = new CsvTokenizer();
  const out: CsvRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    t.push(text.slice(from, cut), cut === text.length, (r) => out.push(r));
    from = cut;
  }
  return out;
}

const shape = (rs: CsvRecord[]): [number, string[]][] => rs.map((r) => [r.line, r.fields]);

describe("the CSV reader", () => {
  it("reads quoted commas, doubled quotes and line breaks inside quotes, with the line each row starts on", () => {
    const text = 'a,b,c\n1,"x, y",3\n2,"say ""hi""",4\n3,"two\nlines",5\n4,"crlf\r\ninside",6\n5,last,7\n';
    expect(shape(records(text))).toEqual([
      [1, ["a", "b", "c"]],
      [2, ["1", "x, y", "3"]],
      [3, ["2", 'say "hi"', "4"]],
      [4, ["3", "two\nlines", "5"]],
      [6, ["4", "crlf\r\ninside", "6"]],
      [8, ["5", "last", "7"]],
    ]);
  });

  it("counts CRLF as one line, inside quotes too (csv-parse counts two)", () => {
    const text = 'a,b\r\n1,"x\r\n\r\ny"\r\n\r\n\r\n2,3\r\n';
    expect(shape(records(text))).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "x\r\n\r\ny"]],
      [7, ["2", "3"]],
    ]);
  });

  it("reads lone CR line ends and a last row without a line end", () => {
    expect(shape(records("a,b\r1,2\r3,4"))).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "2"]],
      [3, ["3", "4"]],
    ]);
  });

  it("skips blank lines and lines of only commas, and counts them", () => {
    const t = new CsvTokenizer();
    const out: CsvRecord[] = [];
    t.push("a,b\n\n1,2\n , \n,,\n3,4\n", true, (r) => out.push(r));
    expect(shape(out)).toEqual([
      [1, ["a", "b"]],
      [3, ["1", "2"]],
      [6, ["3", "4"]],
    ]);
    expect(t.blankLines).toBe(3);
  });

  it("keeps a quote inside an unquoted field as text", () => {
    expect(shape(records('a,b\n12" screen,2\n'))).toEqual([
      [1, ["a", "b"]],
      [2, ['12" screen', "2"]],
    ]);
  });

  it("marks text after a closing quote as malformed, and goes on with the next row", () => {
    const rs = records('a,b\n"x"y,2\n3,4\n');
    expect(rs[1]?.malformed).toBe('unexpected text "y" after the closing quote of field 1');
    expect(shape(rs.slice(2))).toEqual([[3, ["3", "4"]]]);
  });

  it("reports a quote never closed as one malformed row spanning the rest of the file", () => {
    const rs = records('a,b\n1,2\n3,"open\n5,6\n7,8\n');
    expect(rs).toHaveLength(3);
    expect(rs[2]?.line).toBe(3);
    expect(rs[2]?.malformed).toBe("a quoted field opened on line 3 is never closed (lines 3–6 were read as one row)");
  });

  it("gives the same records whatever the chunk boundaries", () => {
    const text = 'h1,h2,h3\r\n"a,1","b\r\nc",d\r\n"""q""",,x\r\n\r\ne,"f""",g\r\nlast,"",row';
    const whole = shape(records(text));
    for (let i = 0; i <= text.length; i++) {
      expect(shape(records(text, [i]))).toEqual(whole);
    }
    for (let i = 1; i < text.length; i += 3) {
      expect(shape(records(text, [i, Math.min(text.length, i + 2)]))).toEqual(whole);
    }
  });

  it("agrees with csv-parse on the cells of random well-formed CSV", () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
      fc.array(fc.constantFrom("a", ",", '"', "\n", "\r\n", " ", "中"), { maxLength: 6 }).map((cs) => cs.join("")),
    );
    const quote = (s: string): string => (/[",\r\n]/.test(s) || s === "" ? `"${s.replaceAll('"', '""')}"` : s);
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(200), { maxLength: 3 }),
        (rows, eol, cuts) => {
          // A row whose cells are all blank is a blank line to both readers; keep such rows out.
          const kept = rows.filter((r) => r.some((c) => c.trim() !== ""));
          fc.pre(kept.length > 0);
          const text = kept.map((r) => r.map(quote).join(",")).join(eol) + eol;
          const expected = parse(text, { relax_column_count: true }) as string[][];
          const sorted = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
          expect(records(text, sorted).map((r) => r.fields)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("streams a file, dropping a BOM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "patron-csv-"));
    try {
      const path = join(dir, "bom.csv");
      writeFileSync(path, "\uFEFFid,name\r\nm1,Ann\r\n");
      const out: CsvRecord[] = [];
      for await (const batch of readCsvBatches(path, new CsvTokenizer())) out.push(...batch);
      expect(shape(out)).toEqual([
        [1, ["id", "name"]],
        [2, ["m1", "Ann"]],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops with an error on a file that is not UTF-8", async () => {
    const dir = mkdtempSync(join(tmpdir(), "patron-csv-"));
    try {
      const path = join(dir, "latin1.csv");
      writeFileSync(path, Buffer.from([0x69, 0x64, 0x0a, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x0a])); // "id\nMüller" in Latin-1
      const read = async (): Promise<void> => {
        for await (const _ of readCsvBatches(path, new CsvTokenizer())) {
          // drain
        }
      };
      await expect(read()).rejects.toThrow(ImportError);
      await expect(read()).rejects.toThrow(/is not UTF-8 text/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
