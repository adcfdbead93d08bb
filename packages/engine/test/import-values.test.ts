import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Invalid, parseNumber } from "../src/import/values.js";

describe("numbers in import files", () => {
  it("reads a plain decimal as Number does, to the last bit", () => {
    const decimal = fc
      .tuple(fc.constantFrom("", "+", "-"), fc.stringMatching(/^[0-9]{0,18}$/), fc.option(fc.stringMatching(/^[0-9]{0,18}$/)))
      .filter(([, whole, fraction]) => whole.length > 0 || (fraction ?? "").length > 0)
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === null ? "" : `.${fraction}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        expect(Object.is(parseNumber(text), Number(text)), text).toBe(true);
      }),
      { numRuns: 5000 },
    );
    for (const text of ["0.1", "19.05", "6.35", "-0", "5.", ".5", "007", "123456789012345", "1234567890123456789", "0.000000000000001"]) {
      expect(Object.is(parseNumber(text), Number(text)), text).toBe(true);
    }
  });

  it("rejects anything else, with a hint for thousands separators", () => {
    for (const text of ["", ".", "+", "-", "1e5", "1,234", "1.2.3", "12a", "0x10", " 1", "Infinity", "NaN"]) {
      expect(parseNumber(text), text).toBeInstanceOf(Invalid);
    }
    expect((parseNumber("1,234.5") as Invalid).message).toBe(
      "not a number; expected a plain number without thousands separators, like 1234.5",
    );
  });
});
