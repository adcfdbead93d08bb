import type { CampaignDefinition, CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import type { PatronConfig } from "@patron/config";
import { resolve } from "node:path";
import type { Io } from "../io.js";
import { chooseCampaigns } from "./campaigns.js";
import { displayPath, UsageError } from "./files.js";

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
  const checked = chooseCampaigns([file], configOption, io);
  if (!checked) return undefined;
  // Only the campaigns of FILE itself, not those of the shared segments files checked with it.
  const path = displayPath(resolve(io.cwd, file), io.cwd);
  const inFile = checked.campaigns.filter((c) => c.source.path === path);
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
  return { config: checked.config, env: checked.env, campaign, segments: checked.segments };
}
