import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The names Patron looks for, in order of preference. */
export const CONFIG_FILE_NAMES = ["patron.yaml", "patron.yml"] as const;

/**
 * The configuration file of the campaigns repository `startDir` is in: patron.yaml (or
 * patron.yml) in `startDir` or the nearest folder above it. Absolute path, or undefined.
 */
export function findConfigFile(startDir: string): string | undefined {
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
