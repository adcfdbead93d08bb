import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../src/index.js";

const FIXTURE = join(import.meta.dirname, "fixtures/lumiere/patron.yaml");
const LUMIERE = readFileSync(FIXTURE, "utf8");

/** loadConfigText must answer every input with diagnostics that point inside the text. */
function assertWellBehaved(text: string): void {
  const { config, diagnostics } = loadConfigText(text, FIXTURE);
  for (const d of diagnostics) {
    expect(d.span.start.offset).toBeGreaterThanOrEqual(0);
    expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
    expect(d.message).not.toBe("");
  }
  expect(config === undefined).toBe(diagnostics.some((d) => d.severity === "error"));
}

describe("loading never throws", () => {
  it("for an alias bomb", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    ];
    const text = `${bomb.join("\n")}\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(loadConfigText(text, FIXTURE).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "E402 aliases (*name) expand to too much data",
    ]);
  });

  it("for arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), assertWellBehaved), { numRuns: 200 });
  });

  it("for a real configuration with a piece cut out or pasted in", () => {
    const edit = fc.tuple(
      fc.nat(LUMIERE.length),
      fc.nat(40),
      fc.constantFrom("", ":", "- ", "  ", "\t", "{", "]", '"', "*x", "&y ", "null", "\n  x: 1"),
    );
    fc.assert(
      fc.property(edit, ([at, cut, paste]) => assertWellBehaved(LUMIERE.slice(0, at) + paste + LUMIERE.slice(at + cut))),
      { numRuns: 150 },
    );
  });
});
