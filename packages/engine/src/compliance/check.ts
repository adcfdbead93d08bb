import { readFileSync } from "node:fs";
import type { PatronConfig } from "@patron/config";
import { SourceFile, sortDiagnostics, type CampaignDefinition, type Diagnostic } from "@patron/dsl";
import { compileMessages, type CompiledMessages } from "../render/compile.js";
import { templateSite } from "../render/locate.js";
import { messageSends } from "../render/sends.js";
import { lintLimits } from "./limit-lint.js";
import { messageConfig } from "./marketing.js";
import { lintSms } from "./sms-lint.js";
import { smsRules } from "./sms-rules.js";
import { staticText } from "./static-text.js";
import { lintWechat } from "./wechat-lint.js";

export interface ComplianceCheckOptions {
  /** How a file's absolute path is shown in diagnostics (the CLI: relative to the working folder). */
  readonly displayPath?: (absolute: string) => string;
  /** The templates compiled already for this configuration (checkTemplates takes the same). */
  readonly compiled?: CompiledMessages;
}

export interface ComplianceCheckResult {
  readonly diagnostics: Diagnostic[];
  /** The template files and patron.yaml the diagnostics point into, for showing their lines. */
  readonly sources: SourceFile[];
}

/**
 * The compliance lint of `patron check` (docs/language.md#e701): the region's sign name (E701)
 * and opt-out text (W701) in SMS templates, WeChat template messages used for marketing (W702),
 * marketing campaigns with neither a limit nor a global frequency cap (W703). `campaigns` are the
 * campaigns checked with it; the template rules apply to every message of patron.yaml.
 */
export function checkCompliance(
  config: PatronConfig,
  campaigns: readonly CampaignDefinition[],
  options: ComplianceCheckOptions = {},
): ComplianceCheckResult {
  const display = options.displayPath ?? ((p: string) => p);
  const compiled = options.compiled ?? compileMessages(config);
  const configSource = new SourceFile(display(config.file), readText(config.file));
  const sources = new Map<string, SourceFile>([[configSource.path, configSource]]);
  const sends = messageSends(config, campaigns);
  const rules = smsRules(config);
  const diagnostics: Diagnostic[] = [];

  for (const { unit } of compiled.templates) {
    const message = messageConfig(config, unit.message);
    if (unit.channel !== "sms" || unit.text === undefined || !message) continue;
    // A template that does not parse is reported by the template check (E601) and not linted.
    const statics = staticText(unit.text);
    if (!statics) continue;
    const site = templateSite(unit, configSource, display);
    sources.set(site.source.path, site.source);
    diagnostics.push(...lintSms({ message, text: unit.text, site, statics }, rules, config.region));
  }
  diagnostics.push(...lintWechat(config, configSource, sends), ...lintLimits(config, campaigns, sends));

  // A template file shared by two messages is linted once per message: say each problem once.
  const unique = new Map(diagnostics.map((d) => [`${d.file}:${d.span.start.offset}:${d.code}`, d]));
  return { diagnostics: sortDiagnostics([...unique.values()]), sources: [...sources.values()] };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
