import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import type { PatronConfig } from "@patron/config";
import { hasErrors, renderText } from "@patron/dsl";
import type { Io } from "../io.js";
import { textStyle } from "../output/style.js";
import { resolve } from "node:path";
import { displayPath, UsageError } from "./files.js";
import { checkProject, requireProject, SourceSet } from "./project.js";

export interface ChosenCampaign {
  readonly config: PatronConfig;
  readonly env: CheckEnvironment;
  readonly campaign: CampaignDefinition;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
}

/**
 * The one campaign a data command works on: FILE is checked (with the shared segments) and must
 * be free of errors; a file holding several campaigns needs --campaign. Problems are printed as
 * `patron check` prints them, and the command exits 1 (returned as undefined).
 */
export function chooseCampaign(
  file: string,
  campaignId: string | undefined,
  configOption: string | undefined,
  io: Io,
): ChosenCampaign | undefined {
  const sources = new SourceSet();
  const project = requireProject(configOption, io, sources);
  if (!project) return undefined;
  const checked = checkProject([file], project, sources, io.cwd);
  const errors = checked.result.diagnostics.filter((d) => d.severity === "error");
  if (hasErrors(errors)) {
    const style = textStyle(io.stdoutStream);
    for (const d of errors) io.err(`${renderText(d, (p) => sources.get(p), style)}\n`);
    return undefined;
  }
  // Only the campaigns of FILE itself, not those of the shared segments files checked with it.
  const path = displayPath(resolve(io.cwd, file), io.cwd);
  const inFile = checked.result.campaigns.filter((c) => c.source.path === path);
  const campaign = campaignId === undefined ? inFile[0] : inFile.find((c) => c.id === campaignId);
  if (!campaign || (campaignId === undefined && inFile.length > 1)) {
    const names = inFile.map((c) => c.id).join(", ");
    throw new UsageError(
      inFile.length === 0
        ? `${file} holds no campaign`
        : campaignId === undefined
          ? `${file} holds ${inFile.length} campaigns (${names}): choose one with --campaign NAME`
          : `${file} has no campaign "${campaignId}"; it has: ${names}`,
    );
  }
  return { config: project.config, env: project.env, campaign, segments: checked.result.segments };
}
