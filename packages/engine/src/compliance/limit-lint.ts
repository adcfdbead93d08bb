import type { PatronConfig } from "@patron/config";
import { parse, type CampaignDefinition, type Diagnostic, type Range, type SourceFile, type TopItemNode } from "@patron/dsl";
import type { MessageSend } from "../render/sends.js";
import { describeSends, isMarketing } from "./marketing.js";

/*
 * W703: a campaign sending marketing messages with neither a limit of its own nor a global
 * frequencyCap sends them again to every member who still matches, at every run.
 */

const LIMIT = "`limit once per member every 30 days`";
const CAP = "`frequencyCap: { messages: 2, days: 7 }`";

export function lintLimits(config: PatronConfig, campaigns: readonly CampaignDefinition[], sends: readonly MessageSend[]): Diagnostic[] {
  if (config.frequencyCap) return [];
  const marketingSends = new Map<CampaignDefinition, MessageSend[]>();
  for (const send of sends) {
    if (isMarketing(config, send.message)) marketingSends.set(send.campaign, [...(marketingSends.get(send.campaign) ?? []), send]);
  }
  const blocks = new Map<SourceFile, readonly TopItemNode[]>();
  const out: Diagnostic[] = [];
  for (const campaign of campaigns) {
    const marketing = marketingSends.get(campaign);
    if (campaign.limit || !marketing) continue;
    const block = blockName(campaign, blocks);
    const where = block ? "to the campaign" : "on a line above the when-sentence";
    const at = block ?? { start: campaign.rule.start, end: campaign.rule.start + "when".length };
    out.push({
      severity: "warning",
      code: "W703",
      file: campaign.source.path,
      span: campaign.source.span(at.start, at.end),
      message: `campaign "${campaign.id}" sends ${describeSends(marketing)} but has no limit, and patron.yaml has no frequencyCap`,
      help: `a member who still matches is sent the campaign again at every run: add ${LIMIT} ${where}, or cap all campaigns together with ${CAP} in patron.yaml`,
    });
  }
  return out;
}

/**
 * The name in `campaign "NAME" {`, or undefined for a campaign written as a bare sentence. The
 * checked definition keeps no block, so its file is parsed again, once, when a campaign in it is warned about.
 */
function blockName(campaign: CampaignDefinition, parsed: Map<SourceFile, readonly TopItemNode[]>): Range | undefined {
  const rule = campaign.rule.start;
  let items = parsed.get(campaign.source);
  if (!items) parsed.set(campaign.source, (items = parse(campaign.source).ast.items));
  for (const item of items) {
    if (item.kind === "Campaign" && item.start <= rule && rule < item.end) return item.name;
  }
  return undefined;
}
