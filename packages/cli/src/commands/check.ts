import { hasErrors, renderGithub, renderText, sortDiagnostics, toJson, type Diagnostic } from "@patron/dsl";
import { checkCompliance, checkTemplates, compileMessages, type SmsLengthReport } from "@patron/engine/checks";
import type { Io } from "../io.js";
import { plural, textStyle } from "../output/style.js";
import { displayPath } from "../project/files.js";
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
  let sms: readonly SmsLengthReport[] = [];

  if (project.env && project.config) {
    const checked = checkProject(paths, { ...project, env: project.env }, sources, io.cwd);
    fileNames = checked.files.map((f) => f.source.path);
    campaigns = checked.result.campaigns.map((c) => ({
      id: c.id,
      file: c.source.path,
      line: c.source.position(c.rule.start).line,
      ...(c.description !== undefined ? { description: c.description } : {}),
    }));
    // Message templates are checked against the campaigns checked with them (docs/templates.md),
    // and so is the compliance lint (docs/language.md#e701); both read the templates compiled once.
    const options = { displayPath: (p: string) => displayPath(p, io.cwd), compiled: compileMessages(project.config) };
    const templates = checkTemplates(project.config, checked.result.campaigns, options);
    const compliance = checkCompliance(project.config, checked.result.campaigns, options);
    for (const source of [...templates.sources, ...compliance.sources]) sources.add(source);
    // Campaign files first, then patron.yaml and the templates, as before the lint: each group in file order.
    const inCampaigns = new Set(fileNames);
    const [aboutCampaigns, aboutTemplates] = partition(compliance.diagnostics, (d) => inCampaigns.has(d.file));
    diagnostics.push(...sortDiagnostics([...checked.result.diagnostics, ...aboutCampaigns]));
    diagnostics.push(...sortDiagnostics([...templates.diagnostics, ...aboutTemplates]));
    sms = templates.sms;
  }

  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  switch (options.format) {
    case "json":
      io.out(
        JSON.stringify(
          { version: 1, ok: errors === 0, errors, warnings, files: fileNames, campaigns, diagnostics: diagnostics.map(toJson), sms },
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
      if (!options.quiet && sms.length > 0) io.out(smsReport(sms));
      break;
    }
  }
  return hasErrors(diagnostics) ? 1 : 0;
}

/**
 * ```
 * SMS length with sample values (docs/templates.md#sms-length):
 *   welcome        templates/welcome.sms.hbs:1        UCS-2, 53 characters, 1 segment
 *   coupon-issued  templates/coupon-issued.sms.hbs:1  UCS-2, 70 characters, 1 segment (coupon WINBACK-50)
 * ```
 */
function smsReport(sms: readonly SmsLengthReport[]): string {
  const where = sms.map((r) => `${r.file}:${r.line}`);
  const nameWidth = Math.max(...sms.map((r) => r.message.length));
  const whereWidth = Math.max(...where.map((w) => w.length));
  const lines = sms.map((r, i) => {
    const size = `${r.encoding}, ${plural(r.length, "character")}, ${plural(r.segments, "segment")}`;
    return `  ${r.message.padEnd(nameWidth)}  ${(where[i] ?? "").padEnd(whereWidth)}  ${size}${r.coupon ? ` (coupon ${r.coupon})` : ""}`;
  });
  return ["", "SMS length with sample values (docs/templates.md#sms-length):", ...lines].join("\n");
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function summary(errors: number, warnings: number, files: number, campaigns: number): string {
  const problems =
    errors + warnings === 0
      ? "no problems"
      : [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
  const mark = errors > 0 ? "✗" : "✓";
  return `${mark} ${problems} in ${plural(files, "file")}; ${plural(campaigns, "campaign")} ready`;
}
