import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, resolve } from "node:path";

/** Extensions of the files Patron reads: campaigns, and the shared segment definitions. */
export const CAMPAIGN_EXTENSIONS = [".campaign", ".segments"];

export class UsageError extends Error {}

/**
 * The campaign files named on the command line: files as given, folders searched recursively
 * (hidden folders and node_modules skipped), sorted so output is stable. A path that does not
 * exist is a usage error, not a silent no-op.
 */
export function findCampaignFiles(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new UsageError(`no such file or folder: ${path}`);
    }
    if (stat.isDirectory()) walk(path, out);
    else out.add(resolve(path));
  }
  return [...out].sort();
}

function walk(dir: string, out: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && CAMPAIGN_EXTENSIONS.includes(extname(entry.name))) out.add(resolve(full));
  }
}

/** Paths in output are relative to the working folder, as a user would type them. */
export function displayPath(absolute: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, absolute);
  return rel === "" ? "." : rel.startsWith("..") && rel.split(/[\\/]/).filter((p) => p === "..").length > 2 ? absolute : rel;
}

export function readText(path: string): string {
  // Decoded as UTF-8; invalid bytes become U+FFFD, which the lexer reports as not text.
  return readFileSync(path).toString("utf8");
}
