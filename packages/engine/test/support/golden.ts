import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

/**
 * Golden files: what users read is pinned down in a file next to the test input, and a change
 * in wording shows up as a diff in review. Run with UPDATE_GOLDEN=1 to (re)write them, then read
 * the diff as a marketer would before committing it.
 */
export const UPDATING = process.env["UPDATE_GOLDEN"] === "1";

export function expectGolden(path: string, actual: string): void {
  const text = actual.endsWith("\n") ? actual : `${actual}\n`;
  if (UPDATING) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${path} is missing; run the tests with UPDATE_GOLDEN=1 to write it`);
  }
  expect(text, `golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, "utf8"));
}
