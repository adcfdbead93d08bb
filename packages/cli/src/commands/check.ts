import { hasErrors, renderGithub, renderText, toJson, type Diagnostic } from "@patron/dsl";
import type { Io } from "../io.js";
import { plural, textStyle } from "../output/style.js";
import { checkProject, loadProject, SourceSet } from "../project/project.js";

export type OutputFormat = "text" | "json" | "github";

const MAX_SHOWN_PER_FILE = 50;

export interface CheckOptions {
  readonly format: OutputFormat;
  readonly config?: string;
  readonly quiet: boolean;
}

/** `patron check [paths]`: every problem in every file at once; exit 1 on any error. */
export function runCheck(paths: readonly string[], options: CheckOptions, io: Io): number {
  const sources = new SourceSet();
  const project = loadProject(options.config, io.cwd);
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  let fileNames: string[] = [];
  let campaigns: { id: string; file: string; line: number; description?: string }[] = [];

  if (project.env) {
    const checked = checkProject(paths, { ...project, env: project.env }, sources, io.cwd);
    diagnostics.push(...checked.result.diagnostics);
    fileNames = checked.files.map((f) => f.source.path);
    campaigns = checked.result.campaigns.map((c) => ({
      id: c.id,
      file: c.source.path,
      line: c.source.position(c.rule.start).line,
      ...(c.description !== undefined ? { description: c.description } : {}),
    }));
  }

  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  switch (options.format) {
    case "json":
      io.out(
        JSON.stringify(
          { version: 1, ok: errors === 0, errors, warnings, files: fileNames, campaigns, diagnostics: diagnostics.map(toJson) },
          null,
          2,
        ),
      );
      break;
    case "github":
      for (const d of diagnostics) io.out(renderGithub(d));
      io.out(summary(errors, warnings, fileNames.length, campaigns.length));
      break;
    case "text": {
      const style = textStyle(io.stdoutStream);
      // A file that is not a campaign at all (a CSV renamed by mistake) can yield thousands of
      // problems; the first ones say what is wrong. JSON and GitHub output carry every one.
      const shownPerFile = new Map<string, number>();
      for (const d of diagnostics) {
        const shown = shownPerFile.get(d.file) ?? 0;
        shownPerFile.set(d.file, shown + 1);
        if (shown < MAX_SHOWN_PER_FILE) io.out(`${renderText(d, (p) => sources.get(p), style)}\n`);
      }
      for (const [file, count] of shownPerFile) {
        if (count > MAX_SHOWN_PER_FILE) {
          io.out(
            `${file}: ${plural(count - MAX_SHOWN_PER_FILE, "more problem")} not shown; fix the first ones, or see them all with --format json\n`,
          );
        }
      }
      io.out(summary(errors, warnings, fileNames.length, campaigns.length));
      if (!options.quiet && campaigns.length > 0) {
        const width = Math.max(...campaigns.map((c) => c.id.length));
        for (const c of campaigns) {
          io.out(`  ${c.id.padEnd(width)}  ${c.file}:${c.line}${c.description ? `  ${c.description}` : ""}`);
        }
      }
      break;
    }
  }
  return hasErrors(diagnostics) ? 1 : 0;
}

function summary(errors: number, warnings: number, files: number, campaigns: number): string {
  const problems =
    errors + warnings === 0
      ? "no problems"
      : [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
  const mark = errors > 0 ? "✗" : "✓";
  return `${mark} ${problems} in ${plural(files, "file")}; ${plural(campaigns, "campaign")} ready`;
}
