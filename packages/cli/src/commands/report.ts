import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { suggest } from "@patron/dsl";
import {
  buildReport,
  DEFAULT_CHURN_DAYS,
  formatInstant,
  importRedemptions,
  ImportError,
  parseAsOf,
  redemptionSummaryText,
  type Db,
} from "@patron/engine";
import type { Io } from "../io.js";
import { reportHtml } from "../output/report-html.js";
import { reportLines } from "../output/report-text.js";
import { openData, type DataOptions } from "../project/data.js";
import { displayPath, UsageError } from "../project/files.js";
import { wholeNumber } from "../project/numbers.js";
import { checkProject, requireProject, SourceSet } from "../project/project.js";

export interface ReportCommandOptions extends DataOptions {
  readonly config?: string;
  /** Start of the period (ISO 8601, like --as-of); default 30 days before the as-of. */
  readonly from?: string;
  /** Days without a purchase after which a member counts as churned. */
  readonly churnDays?: string;
  /** A redemptions CSV to import before reporting. */
  readonly redemptions?: string;
  /** luxon format of the redemptions file's dates (default ISO 8601). */
  readonly dateFormat?: string;
  readonly format: "text" | "json" | "html";
  /** Where --format html writes (default patron-report.html in the working folder). */
  readonly out?: string;
}

/**
 * `patron report [CAMPAIGN]`: per run of the campaign (or of every campaign) planned in the
 * period, the funnel, delivery by provider code, goal conversions of treatment and holdout with
 * the uplift and its 95% interval, coupon redemption; then the loyalty KPIs of the period. Text,
 * JSON (the shape of docs/report.md) or one self-contained HTML file. Goals are read from the
 * campaign files as they are now; a campaign file with errors is reported without its goal
 * rather than stopping the report. With --redemptions FILE the file is imported first (its
 * summary goes to stderr; rejected rows to FILE.rejects.csv).
 */
export async function runReport(campaign: string | undefined, options: ReportCommandOptions, io: Io): Promise<number> {
  const sources = new SourceSet();
  const project = requireProject(options.config, io, sources);
  if (!project) return 1;
  const { config } = project;
  const checked = checkProject([], project, sources, io.cwd);
  const churnDays = options.churnDays === undefined ? DEFAULT_CHURN_DAYS : wholeNumber(options.churnDays, "--churn-days");
  if (churnDays === 0) throw new UsageError("--churn-days 0: churn needs a window of at least one day, e.g. --churn-days 90");
  const data = openData(config, options, io.cwd, { mustExist: true });
  try {
    let from: number | undefined;
    if (options.from !== undefined) {
      const parsed = parseAsOf(options.from, config.timezone);
      if ("error" in parsed) throw new UsageError(parsed.error.replace("--as-of", "--from"));
      from = parsed.at;
      if (from >= data.asOf) {
        throw new UsageError(
          `--from ${options.from} is not before the as-of ${formatInstant(data.asOf, data.zone)}: the period would be empty`,
        );
      }
    }
    if (campaign !== undefined)
      knownCampaign(
        data.db,
        campaign,
        checked.result.campaigns.map((c) => c.id),
      );
    if (options.redemptions !== undefined) {
      const file = resolve(io.cwd, options.redemptions);
      try {
        const summary = await importRedemptions(data.db, {
          file,
          timezone: config.timezone,
          ...(options.dateFormat === undefined ? {} : { dateFormat: options.dateFormat }),
        });
        io.err(redemptionSummaryText(summary, displayPath(file, io.cwd)));
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        io.err(`patron report: ${error.message}${error.help ? `\n  help: ${error.help}` : ""}`);
        return 1;
      }
    }
    const report = buildReport(data.db, {
      asOf: data.asOf,
      ...(from === undefined ? {} : { from }),
      churnDays,
      ...(campaign === undefined ? {} : { campaign }),
      campaigns: checked.result.campaigns,
      env: project.env,
      segments: checked.result.segments,
    });
    if (options.format === "json") {
      io.out(JSON.stringify(report, null, 2));
      return 0;
    }
    if (options.format === "html") {
      const out = resolve(io.cwd, options.out ?? "patron-report.html");
      writeFileSync(out, reportHtml(`${config.business} — report${campaign === undefined ? "" : `: ${campaign}`}`, report));
      io.out(`wrote ${displayPath(out, io.cwd)}: ${report.runs.length} run${report.runs.length === 1 ? "" : "s"} and the loyalty KPIs`);
      return 0;
    }
    for (const line of reportLines(report)) io.out(line);
    if (campaign !== undefined && report.runs.length === 0) {
      const latest = data.db.prepare<[string], number | null>("SELECT max(as_of) FROM runs WHERE campaign = ?").pluck().get(campaign);
      if (typeof latest === "number") {
        io.out(`(its latest run was as of ${formatInstant(latest, data.zone)}: widen the period with --from)`);
      }
    }
    return 0;
  } finally {
    data.db.close();
  }
}

/** A campaign the repository or the runs know; otherwise a usage error with the nearest name. */
function knownCampaign(db: Db, campaign: string, inRepository: readonly string[]): void {
  const ran = db.prepare<[], string>("SELECT DISTINCT campaign FROM runs ORDER BY campaign").pluck().all();
  const names = [...new Set([...inRepository, ...ran])].sort();
  if (names.includes(campaign)) return;
  const near = suggest(campaign, names);
  throw new UsageError(
    `no campaign "${campaign}" in the repository or among the runs${near ? `; did you mean "${near}"?` : ""}` +
      (names.length > 0 ? ` (known: ${names.join(", ")})` : ""),
  );
}
