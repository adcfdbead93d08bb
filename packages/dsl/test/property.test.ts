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

const SEED = 20_261_201;
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

const file = fc.nat({ max: corpus.length - 1 }).map((i) => corpus[i] ?? "");

describe("property: mutated campaign files", () => {
  it("has a corpus to mutate", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    for (const text of corpus.slice(0, 1)) timedParse(text); // builds the lexer and parser once
  });

  it("never throws, stays fast, reports sane positions; what still parses formats correctly", () => {
    let clean = 0;
    fc.assert(
      fc.property(file, file, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, other, mutations) => {
        const mutated = mutations.reduce((t, m) => m(t, other), text);
        if (checkAnyText(mutated)) clean++;
      }),
      { seed: SEED, numRuns: 700 },
    );
    // The formatter half of the property must actually be exercised.
    expect(clean).toBeGreaterThan(50);
  });

  it("formats any spacing, letter case and comments of a valid file idempotently, keeping AST and comments", () => {
    let clean = 0;
    fc.assert(
      fc.property(file, layoutChange, fc.option(mutation, { freq: 4 }), (text, change, extra) => {
        const respaced = relayout(text, change.gaps, change.cases);
        const mutated = extra ? extra(respaced, text) : respaced;
        if (checkAnyText(mutated)) clean++;
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(clean).toBeGreaterThan(300);
  });

  it("parses a long file in well under a second", () => {
    const valid = corpus.filter((t) => errorsOf(parseText(t)).length === 0);
    const long = Array.from({ length: 30 }, () => valid.join("\n")).join("\n");
    const conjuncts = `when ${Array.from({ length: 2000 }, (_, i) => `tier >= g${i}`).join(" and ")}, send message x via sms\n`;
    const broken = long.replace(/,/g, "");
    for (const text of [long, conjuncts, broken, long + conjuncts]) {
      expect(text.length).toBeGreaterThan(20_000);
      checkAnyText(text);
    }
  });

  // BUG (parser, not fixable in format/): chevrotain recurses once per nesting level and overflows
  // the stack at about 520 nested parentheses, so parse() throws RangeError instead of reporting a
  // diagnostic. Minimal input: "when " + "(".repeat(600) + "a = b" + ")".repeat(600) + ", award 1 points".
  // Flip to `it` once parse() refuses deep nesting with a diagnostic.
  it.fails("never throws on deeply nested parentheses", () => {
    for (const text of [
      `when ${"(".repeat(600)}a = b${")".repeat(600)}, award 1 points`,
      `when ${"(".repeat(600)}a = b, award 1 points`,
      `when ${"not ".repeat(5000)}a = b, award 1 points`,
    ]) {
      expect(() => parseText(text)).not.toThrow();
    }
  });
});
