import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createPlanner, dryRun, formatInstant, type DryRunResult } from "@patron/engine";
import type { Io } from "../io.js";
import { chooseCampaigns } from "../project/campaigns.js";
import { openData, type DataOptions } from "../project/data.js";
import { displayPath } from "../project/files.js";
import { dryRunHtml } from "../output/dry-run-html.js";
import { funnelLines, sampleLines } from "../output/funnel-text.js";

export interface DryRunOptions extends DataOptions {
  readonly config?: string;
  readonly format: "text" | "json" | "html";
  /** Where --format html writes (default patron-dry-run.html in the working folder). */
  readonly out?: string;
  /** Sample messages shown per message and channel. */
  readonly samples: number;
}

/**
 * `patron dry-run [FILES]`: the whole pipeline of a run — audience, channel choice and the other
 * policy steps, coupons, rendering — without sending and without writing to the outbox. Text,
 * JSON (stable shape, docs/delivery.md) or one self-contained HTML report.
 */
export function runDryRun(paths: readonly string[], options: DryRunOptions, io: Io): number {
  const chosen = chooseCampaigns(paths, options.config, io);
  if (!chosen) return 1;
  const data = openData(chosen.config, options, io.cwd, { mustExist: true });
  try {
    const planner = createPlanner({ db: data.db, config: chosen.config, env: chosen.env, segments: chosen.segments });
    const results: { file: string; result: DryRunResult }[] = [];
    for (const campaign of chosen.campaigns) {
      const progress = io.progress ? (done: number, total: number) => io.progress?.(`${campaign.id}: ${done}/${total} members`) : undefined;
      results.push({ file: campaign.source.path, result: dryRun(planner.input(campaign, data.asOf, progress), options.samples) });
      io.progress?.("");
    }
    const asOf = formatInstant(data.asOf, data.zone);
    if (options.format === "json") {
      io.out(
        JSON.stringify({
          asOf,
          campaigns: results.map(({ file, result }) => ({
            campaign: result.campaign,
            file,
            funnel: result.funnel,
            samples: result.samples,
            templateErrors: result.templateErrors,
          })),
        }),
      );
      return 0;
    }
    if (options.format === "html") {
      const out = resolve(io.cwd, options.out ?? "patron-dry-run.html");
      writeFileSync(out, dryRunHtml(`${chosen.config.business} — dry run`, asOf, results));
      io.out(`wrote ${displayPath(out, io.cwd)}: ${results.length} campaign${results.length === 1 ? "" : "s"}, nothing sent`);
      return 0;
    }
    io.out(`dry run as of ${asOf} — nothing is sent`);
    for (const { file, result } of results) {
      io.out("");
      io.out(`${result.campaign} (${file})`);
      for (const line of funnelLines(result.funnel)) io.out(line);
      for (const e of result.templateErrors.slice(0, 3)) io.out(`  ! member ${e.memberId}: ${e.detail}`);
      for (const sample of result.samples) {
        io.out("");
        for (const line of sampleLines(sample)) io.out(line);
      }
    }
    return 0;
  } finally {
    data.db.close();
  }
}
