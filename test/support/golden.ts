import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

/**
 * Golden files, shared by every package's tests: what users read (error text, formatted
 * campaigns, ASTs, generated SQL, explanations) is pinned in a file next to the test input, and
 * a change shows up as a diff in review. UPDATE_GOLDEN=1 (re)writes them; read the diff as a
 * user would before committing it.
 */
export const UPDATING_GOLDEN = process.env["UPDATE_GOLDEN"] === "1";

/**
 * Compares `actual` with the file at `path`. Text is compared with one final newline added when
 * missing, unless `exact` (for output whose final newline is itself under test, like `fmt`).
 */
export function expectGolden(path: string, actual: string, options: { readonly exact?: boolean } = {}): void {
  const text = options.exact || actual.endsWith("\n") ? actual : `${actual}\n`;
  if (UPDATING_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing; run the tests with UPDATE_GOLDEN=1 to write it`);
  expect(text, `golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, "utf8"));
}
