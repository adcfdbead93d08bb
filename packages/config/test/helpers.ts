import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Diagnostic } from "@patron/dsl";
import { afterAll } from "vitest";
import { loadConfig, type LoadResult } from "../src/index.js";

const repositories: string[] = [];
afterAll(() => {
  for (const root of repositories.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A throw-away campaigns repository: file path → content. Returns its folder. */
export function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "patron-config-"));
  repositories.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Loads patron.yaml with the given text from a repository holding `files` besides. */
export function load(text: string, files: Record<string, string> = {}): LoadResult {
  const root = repository({ ...files, "patron.yaml": text });
  return loadConfig(join(root, "patron.yaml"));
}

/** A diagnostic as a marketer reads it: `line:column code message`, then `help: …` if any. */
export function show(diagnostic: Diagnostic): string {
  const { line, column } = diagnostic.span.start;
  const head = `${line}:${column} ${diagnostic.code} ${diagnostic.message}`;
  return diagnostic.help === undefined ? head : `${head} | help: ${diagnostic.help}`;
}

/** The diagnostics of loading `text`, shown; asserts that no config came back. */
export function problems(text: string, files: Record<string, string> = {}): string[] {
  const result = load(text, files);
  if (result.config !== undefined && result.diagnostics.some((d) => d.severity === "error")) {
    throw new Error("a config came back despite errors");
  }
  return result.diagnostics.map(show);
}

/** The smallest valid patron.yaml; tests append to it or change one line. */
export const MINIMAL = `business: Lumière Beauty
timezone: Asia/Shanghai
tiers: [silver, gold, platinum, diamond]
`;
