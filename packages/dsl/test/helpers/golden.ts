import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

/** Set UPDATE_GOLDEN=1 to (re)write golden files instead of comparing with them. */
export const UPDATING_GOLDEN = process.env["UPDATE_GOLDEN"] === "1";

/**
 * Compares `actual` with the golden file at `path`, byte for byte. With UPDATE_GOLDEN=1 the file is
 * written instead (only when it changed), so a change in output shows up as a diff in review.
 */
export function expectGolden(path: string, actual: string): void {
  if (UPDATING_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, "utf8") !== actual) writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing; run the tests with UPDATE_GOLDEN=1 to write it`);
  expect(actual, `golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, "utf8"));
}
