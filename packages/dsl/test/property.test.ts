import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic, ParseResult } from "../src/index.js";
import { campaignCorpus } from "./helpers/corpus.js";
import { expectFormatInvariants } from "./helpers/format.js";
import { layoutChange, mutation, relayout } from "./helpers/mutate.js";
import { errorsOf, parseText } from "./helpers/parse.js";

/*
 * Property tests over mutated campaign files. The corpus is every campaign file the tests hold
 * (the language design's examples among them); fast-check mutates them with a fixed seed, so a
 * run is the same on every machine. A failure prints the seed, the path and the shrunk input.
 */

/** Fixed for CI; set PROPERTY_SEED (and PROPERTY_RUNS) to explore further on your machine. */
const SEED = Number(process.env["PROPERTY_SEED"] ?? 20_261_201);
const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 1000);
const corpus = campaignCorpus().map((f) => f.text);
/** A parse takes a few milliseconds; a second means something is badly wrong (a hang, a blow-up). */
const PARSE_BUDGET_MS = 1000;

/** Line and column of an offset, computed independently of SourceFile (same conventions). */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      column = 1;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      column++;
    }
  }
  return { line, column };
}

function expectSaneSpan(text: string, lineCount: number, d: Diagnostic): void {
  const { start, end } = d.span;
  const where = `${d.code} ${d.message} at ${JSON.stringify(d.span)}`;
  expect(0 <= start.offset && start.offset <= end.offset && end.offset <= text.length, where).toBe(true);
  for (const p of [start, end]) {
    expect(1 <= p.line && p.line <= lineCount, where).toBe(true);
    expect({ line: p.line, column: p.column }, where).toStrictEqual(positionOf(text, p.offset));
  }
}

function timedParse(text: string): ParseResult {
  const started = performance.now();
  const result = parseText(text);
  const elapsed = performance.now() - started;
  expect(elapsed, `parse took ${Math.round(elapsed)} ms`).toBeLessThan(PARSE_BUDGET_MS);
  return result;
}

/** What must hold for any text at all; and for a text that parses, what the formatter promises. */
function checkAnyText(text: string): boolean {
  const result = timedParse(text);
  const lineCount = result.source.lineCount;
  expect(lineCount).toBe(positionOf(text, text.length).line);
  for (const d of result.diagnostics) expectSaneSpan(text, lineCount, d);
  if (errorsOf(result).length > 0) return false;
  expectFormatInvariants(text);
  return true;
}

/** The arbitrary's value in one run out of four, `undefined` otherwise. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

const validCorpus = corpus.filter((t) => errorsOf(parseText(t)).length === 0);
const file = fc.nat({ max: corpus.length - 1 }).map((i) => corpus[i] ?? "");
const validFile = fc.nat({ max: validCorpus.length - 1 }).map((i) => validCorpus[i] ?? "");

describe("property: mutated campaign files", () => {
  it("has a corpus to mutate", () => {
    expect(validCorpus.length).toBeGreaterThanOrEqual(15);
  });

  it("never throws, stays fast, reports sane positions; what still parses formats correctly", () => {
    let clean = 0;
    fc.assert(
      fc.property(file, file, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, other, mutations) => {
        const mutated = mutations.reduce((t, m) => m(t, other), text);
        if (checkAnyText(mutated)) clean++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The formatter half of the property must actually be exercised.
    expect(clean).toBeGreaterThan(RUNS / 20);
  });

  it("formats any spacing, letter case and comments of a valid file idempotently, keeping AST and comments", () => {
    let clean = 0;
    fc.assert(
      fc.property(validFile, layoutChange, sometimes(mutation), (text, change, extra) => {
        const respaced = relayout(text, change.gaps, change.cases);
        const mutated = extra ? extra(respaced, text) : respaced;
        if (checkAnyText(mutated)) clean++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(clean).toBeGreaterThan(RUNS / 2);
  });

  it("parses a long file in well under a second", () => {
    const valid = validCorpus.join("\n");
    const long = `${valid}\n${valid}`;
    const conjuncts = `when ${Array.from({ length: 1500 }, (_, i) => `tier >= g${i}`).join(" and ")}, send message x via sms\n`;
    const broken = valid.replace(/,/g, "");
    for (const text of [long, conjuncts, broken]) {
      expect(text.length).toBeGreaterThan(10_000);
      checkAnyText(text);
    }
  });

  // BUG (parser, not fixable in format/): chevrotain recurses once per nesting level and overflows
  // the stack somewhere between 500 and 1000 nested parentheses (earlier when the parser is not
  // yet optimised by the JIT), so parse() throws RangeError instead of reporting a diagnostic.
  // A chain of a few thousand `not`s does the same. Minimal input:
  //   "when " + "(".repeat(1000) + "a = b" + ")".repeat(1000) + ", award 1 points"
  // Flip to `it` once parse() refuses deep nesting with a diagnostic.
  it.fails("never throws on deeply nested parentheses", () => {
    expect(() => parseText(`when ${"(".repeat(5000)}a = b${")".repeat(5000)}, award 1 points`)).not.toThrow();
  });

  // BUG (lexer, not fixable in format/): lex() calls a text "binary" when more than 10% of its
  // characters are control characters. Formatting removes white space, so a file just under the
  // threshold can come out of `patron fmt` over it, and the formatted file no longer parses (E006).
  // Minimal input: "holdout 10%          #\x01\x01\n" → "holdout 10% #\x01\x01\n".
  // Flip to `it` once the heuristic no longer depends on the amount of white space (e.g. counts
  // NUL bytes and invalid UTF-8 only, or ignores comments).
  it.fails("formats a file with control characters in a comment into a file that still parses", () => {
    expectFormatInvariants("holdout 10%          #\x01\x01\n");
  });

  // BUG (parser, not fixable in format/), skipped because it takes seconds to show: chevrotain's
  // in-repetition recovery skips each stray word at the top level by recursing once more, so
  //  - parse time is quadratic: "} when a = b, award 1 points\n" × 1000 lines (29 KB) takes
  //    ~2 s, × 2000 ~3.7 s, × 4000 ~11 s;
  //  - the stack overflows and parse() throws RangeError with a few thousand stray words:
  //    "when a = b, award 1 points }\n".repeat(3000) (87 KB), "holdout 10% }\n".repeat(8000).
  //    (The depth at which it overflows varies with how far the JIT has optimised the parser.)
  // Un-skip once the `file` rule recovers from stray words without recursion (or parse() catches
  // RangeError and reports the file as too broken to read).
  it.skip("never throws and stays fast on thousands of stray closing braces", () => {
    const started = performance.now();
    const result = parseText("when a = b, award 1 points }\n".repeat(3000));
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(PARSE_BUDGET_MS);
  });
});
