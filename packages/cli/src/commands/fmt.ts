import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { findConfigFile } from "@patron/config";
import { formatFile, parse, renderText, SourceFile, type Diagnostic } from "@patron/dsl";
import type { Io } from "../io.js";
import { plural, textStyle } from "../output/style.js";
import { displayPath, findCampaignFiles, readText } from "../project/files.js";
import { dirname } from "node:path";

export interface FmtOptions {
  readonly check: boolean;
}

/**
 * `patron fmt [paths]`: rewrites campaign files in the canonical layout. Formatting needs no
 * configuration; a file with syntax errors is left untouched and its errors reported.
 * `--check` changes nothing and exits 1 when a file is not formatted (for CI).
 */
export function runFmt(paths: readonly string[], options: FmtOptions, io: Io): number {
  const roots =
    paths.length > 0 ? paths.map((p) => resolve(io.cwd, p)) : [dirname(findConfigFile(io.cwd) ?? resolve(io.cwd, "patron.yaml"))];
  const files = findCampaignFiles(roots);
  const style = textStyle(io.stdoutStream);
  const unformatted: string[] = [];
  let broken = 0;
  let changed = 0;

  for (const path of files) {
    const source = new SourceFile(displayPath(path, io.cwd), readText(path));
    const parsed = parse(source);
    const errors: Diagnostic[] = parsed.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      broken++;
      for (const d of errors) io.err(`${renderText(d, () => source, style)}\n`);
      continue;
    }
    const formatted = formatFile(parsed);
    if (formatted === source.text) continue;
    if (options.check) {
      unformatted.push(source.path);
    } else {
      writeFileSync(path, formatted, "utf8");
      changed++;
      io.out(`formatted ${source.path}`);
    }
  }

  if (options.check) {
    for (const path of unformatted) io.out(`would reformat ${path}`);
    io.out(
      unformatted.length === 0 && broken === 0
        ? `✓ ${plural(files.length, "file")} formatted`
        : `✗ ${plural(unformatted.length, "file")} would be reformatted${broken > 0 ? `, ${plural(broken, "file")} with syntax errors` : ""}; run patron fmt`,
    );
    return unformatted.length > 0 || broken > 0 ? 1 : 0;
  }
  io.out(
    `✓ ${plural(changed, "file")} reformatted, ${plural(files.length - changed - broken, "file")} already formatted${broken > 0 ? `, ${plural(broken, "file")} skipped for syntax errors` : ""}`,
  );
  return broken > 0 ? 1 : 0;
}
