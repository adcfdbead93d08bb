import { describe, expect, test } from "vitest";
import { foldedSpellings } from "../src/audience/sql/case-fold.js";

/** What SQLite's lower() (ASCII letters only) leaves of a string. */
const sqliteLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

describe("foldedSpellings: the spellings lower(column) can hold for a name, ignoring case as JavaScript does", () => {
  test("ASCII names need one spelling (and the Kelvin sign for k)", () => {
    expect(foldedSpellings("Gold")).toEqual(["gold"]);
    expect(foldedSpellings("Black")).toEqual(["blac\u212a", "black"].sort());
  });

  test("letters outside ASCII in both cases", () => {
    expect(foldedSpellings("Élite")).toEqual(["Élite", "élite"]);
    expect(foldedSpellings("金卡")).toEqual(["金卡"]);
    expect(foldedSpellings("Золото")).toHaveLength(64); // 6 letters, 2 cases each
  });

  test("exactly the values equal under toLowerCase, for sample values", () => {
    const names = ["Élite", "ΑΣ", "Straße", "Dž", "Gold"];
    const values = [
      "ÉLITE",
      "élite",
      "Élite",
      "elite",
      "ΑΣ",
      "ας",
      "ασ",
      "Ας",
      "STRASSE",
      "straße",
      "STRAßE",
      "DŽ",
      "ǅ",
      "dž",
      "GOLD",
      "gOLd",
    ];
    for (const name of names) {
      const spellings = new Set(foldedSpellings(name));
      for (const value of values) {
        expect(spellings.has(sqliteLower(value)), `${name} ~ ${value}`).toBe(value.toLowerCase() === name.toLowerCase());
      }
    }
  });
});
