import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const TEST_DIR = fileURLToPath(new URL("..", import.meta.url));

/** The formatter's golden fixtures: `X.campaign` is formatted into `X.formatted.campaign`. */
export const FORMAT_FIXTURES = join(TEST_DIR, "fixtures", "format");

export interface CorpusFile {
  /** Path relative to packages/dsl/test, for test names. */
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

/** The formatter's input fixtures (not the golden outputs), in name order. */
export function formatFixtures(): CorpusFile[] {
  return campaignFiles(FORMAT_FIXTURES).filter((f) => !f.path.endsWith(".formatted.campaign"));
}

/**
 * Every campaign file the tests hold: the formatter fixtures and their golden outputs (which
 * include the examples of the language design), plus the example and mistake files of the other
 * test suites where they exist. Sorted by name, so a seeded property test sees the same corpus
 * on every machine.
 */
export function campaignCorpus(): CorpusFile[] {
  const dirs = [FORMAT_FIXTURES, join(TEST_DIR, "examples"), join(TEST_DIR, "mistakes")];
  return dirs.flatMap(campaignFiles).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function campaignFiles(dir: string): CorpusFile[] {
  if (!existsSync(dir)) return [];
  const out: CorpusFile[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...campaignFiles(path));
    else if (entry.endsWith(".campaign")) out.push({ name: relative(TEST_DIR, path), path, text: readFileSync(path, "utf8") });
  }
  return out;
}
