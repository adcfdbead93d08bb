import type { PatronConfig } from "@patron/config";
import { hasErrors, renderText, type CampaignDefinition, type CheckEnvironment, type SegmentDefinition } from "@patron/dsl";
import type { Io } from "../io.js";
import { textStyle } from "../output/style.js";
import { checkProject, requireProject, SourceSet } from "./project.js";

export interface ChosenCampaigns {
  readonly config: PatronConfig;
  readonly env: CheckEnvironment;
  readonly campaigns: readonly CampaignDefinition[];
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
}

/**
 * The campaigns a run or dry run works on: those in FILES (every campaign of the repository
 * when none is given), checked with the shared segments. Any error stops the command: problems
 * are printed as `patron check` prints them and undefined is returned (exit 1).
 */
export function chooseCampaigns(paths: readonly string[], configOption: string | undefined, io: Io): ChosenCampaigns | undefined {
  const sources = new SourceSet();
  const project = requireProject(configOption, io, sources);
  if (!project) return undefined;
  const checked = checkProject(paths, project, sources, io.cwd);
  const errors = checked.result.diagnostics.filter((d) => d.severity === "error");
  if (hasErrors(errors)) {
    const style = textStyle(io.stdoutStream);
    for (const d of errors) io.err(`${renderText(d, (p) => sources.get(p), style)}\n`);
    io.err(`${errors.length} error${errors.length === 1 ? "" : "s"}: nothing was done (patron check shows the same)`);
    return undefined;
  }
  return { config: project.config, env: project.env, campaigns: checked.result.campaigns, segments: checked.result.segments };
}
