import { readFileSync } from "node:fs";
import type { PatronConfig } from "@patron/config";
import {
  listNames,
  SourceFile,
  sortDiagnostics,
  type CampaignDefinition,
  type Diagnostic,
  type DiagnosticCode,
  type Span,
} from "@patron/dsl";
import type { VariableUse } from "./analyze.js";
import { compileMessages, type CompiledMessages, type CompiledTemplate } from "./compile.js";
import { spanIn, templateSite, type TemplateSite } from "./locate.js";
import { renderMessage } from "./render.js";
import { sampleContext } from "./sample.js";
import { messageSends, type MessageSend } from "./sends.js";
import { SMS_LIMITS, smsLength, type SmsEncoding } from "./sms-length.js";

/** How long one SMS template is, rendered for a representative member (see sample.ts). */
export interface SmsLengthReport {
  readonly message: string;
  /** The template file, or patron.yaml for a body written there; as diagnostics name files. */
  readonly file: string;
  readonly line: number;
  readonly encoding: SmsEncoding;
  /** Characters as carriers count them: septets for GSM-7, UTF-16 units for UCS-2. */
  readonly length: number;
  readonly segments: number;
  /** For a message carried by coupons: the coupon of the longest text. */
  readonly coupon?: string;
}

export interface TemplateCheckOptions {
  /** How a file's absolute path is shown in diagnostics (the CLI: relative to the working folder). */
  readonly displayPath?: (absolute: string) => string;
  /** The templates compiled already for this configuration, when the caller has them. */
  readonly compiled?: CompiledMessages;
}

export interface TemplateCheckResult {
  readonly diagnostics: Diagnostic[];
  readonly sms: SmsLengthReport[];
  /** The files the diagnostics point into (template files, patron.yaml), for showing their lines. */
  readonly sources: SourceFile[];
}

/**
 * `patron check` for message templates: every template parses, uses only known variables and
 * helpers, and uses coupon, awardedPoints and unsubscribeUrl only where the campaigns that send
 * it provide them; SMS bodies are measured. `campaigns` are the campaigns checked with it: a
 * template is only blamed for a campaign among them.
 */
export function checkTemplates(
  config: PatronConfig,
  campaigns: readonly CampaignDefinition[],
  options: TemplateCheckOptions = {},
): TemplateCheckResult {
  const display = options.displayPath ?? ((p: string) => p);
  const compiled = options.compiled ?? compileMessages(config);
  const configSource = new SourceFile(display(config.file), readText(config.file));
  const sends = messageSends(config, campaigns);
  const diagnostics: Diagnostic[] = [];
  const sms: SmsLengthReport[] = [];
  const sources = new Map<string, SourceFile>([[configSource.path, configSource]]);

  for (const template of compiled.templates) {
    const site = templateSite(template.unit, configSource, display);
    sources.set(site.source.path, site.source);
    const report = (severity: Diagnostic["severity"], code: DiagnosticCode, span: Span, message: string, help?: string): void => {
      diagnostics.push({ severity, code, file: site.source.path, span, message, ...(help === undefined ? {} : { help }) });
    };
    const text = template.unit.text ?? "";
    for (const problem of template.problems) {
      const span = problem.code === "E404" ? site.source.span(site.range[0], site.range[1]) : spanIn(site, text, problem.loc);
      report("error", problem.code, span, problem.message, problem.help);
    }
    const missing = availability(config, template, sends);
    for (const m of missing) report("error", "E604", spanIn(site, text, m.use.loc), m.message, m.help);
    if (template.unit.channel === "sms" && template.render) {
      const measured = measure(config, compiled, template, sends, site);
      if (measured) {
        sms.push(measured);
        // Not while the template has errors (fix those first). At the first character: the source
        // line shown under the warning is the whole SMS already.
        if (measured.segments > 1 && missing.length === 0) {
          report("warning", "W601", site.source.span(site.range[0], site.range[0]), ...tooLong(measured));
        }
      }
    }
  }
  // A template file shared by two messages is read once per message: say each problem once.
  const unique = new Map(diagnostics.map((d) => [`${d.file}:${d.span.start.offset}:${d.code}:${d.message}`, d]));
  return { diagnostics: sortDiagnostics([...unique.values()]), sms, sources: [...sources.values()] };
}

interface Missing {
  readonly use: VariableUse;
  readonly message: string;
  readonly help: string;
}

/** Uses of variables the template will not have when the campaigns send it (one per kind and template). */
function availability(config: PatronConfig, template: CompiledTemplate, sends: readonly MessageSend[]): Missing[] {
  const { message, channel } = template.unit;
  const uses = (template.analysis?.uses ?? []).filter((u) => !u.guarded);
  const first = (root: string): VariableUse | undefined => uses.find((u) => u.parts[0] === root);
  const mine = sends.filter((s) => s.message === message && s.via.includes(channel));
  const out: Missing[] = [];

  const coupon = first("coupon");
  if (coupon) {
    const carriers = config.coupons.filter((c) => c.message === message);
    const without = mine.filter((s) => s.coupon === undefined);
    if (carriers.length === 0) {
      const fix = `give a coupon \`message: ${message}\` in patron.yaml and send it with send coupon, or remove {{${coupon.path}}}`;
      out.push(
        mine.length > 0
          ? {
              use: coupon,
              message: `{{${coupon.path}}} has no value when ${sentBy(mine)} message "${message}": no coupon is sent with it`,
              help: `${places(mine)}; coupon variables are set only when a coupon is sent: ${fix}`,
            }
          : {
              use: coupon,
              message: `{{${coupon.path}}} has no value: no coupon in patron.yaml is sent with message "${message}"`,
              help: `coupon variables are set only when a coupon is sent: ${fix}`,
            },
      );
    } else if (without.length > 0) {
      const example = carriers[0]?.name ?? "";
      out.push({
        use: coupon,
        message: `{{${coupon.path}}} has no value when ${sentBy(without)} message "${message}" without a coupon`,
        help: `${places(without)}; send the coupon instead (send coupon "${example}" …, whose message is "${message}"), or show coupon text only inside {{#if coupon}}…{{/if}}`,
      });
    }
    const expires = uses.find((u) => u.path === "coupon.expiresOn");
    const endless = carriers.filter((c) => c.validDays === undefined);
    if (expires && endless.length > 0) {
      out.push({
        use: expires,
        message: `{{coupon.expiresOn}} has no value for coupon ${listNames(endless.map((c) => `"${c.name}"`))}: it never expires`,
        help: "give the coupon validDays in patron.yaml, or show the date only inside {{#if coupon.expiresOn}}…{{/if}}",
      });
    }
  }

  const awarded = first("awardedPoints");
  const unawarded = mine.filter((s) => s.award === undefined);
  if (awarded && unawarded.length > 0) {
    out.push({
      use: awarded,
      message: `{{awardedPoints}} has no value when ${sentBy(unawarded)} message "${message}": no points are awarded`,
      help: `${places(unawarded)}; award points in the same sentence (award 200 points and send …), or show it only inside {{#if awardedPoints}}…{{/if}}`,
    });
  }

  const unsubscribe = first("unsubscribeUrl");
  if (unsubscribe && channel !== "email") {
    out.push({
      use: unsubscribe,
      message: `{{unsubscribeUrl}} is only set in email templates, not in ${channel === "sms" ? "SMS" : "WeChat"}`,
      help:
        channel === "sms"
          ? "SMS opt-out is a reply keyword: write it as text, e.g. 回TD退订 or Reply STOP to opt out"
          : "remove it: members stop WeChat notices by unfollowing",
    });
  } else if (unsubscribe && config.channels.email?.unsubscribeUrl === undefined) {
    out.push({
      use: unsubscribe,
      message: "{{unsubscribeUrl}} has no value: channels.email.unsubscribeUrl is not set in patron.yaml",
      help: "set it to the one-click unsubscribe address of patron serve (docs/configuration.md#channelsemail--smtp)",
    });
  }
  return out;
}

/** `campaign "a" sends` or `campaigns "a" and "b" send` */
function sentBy(sends: readonly MessageSend[]): string {
  const ids = [...new Set(sends.map((s) => `"${s.campaign.id}"`))];
  return ids.length === 1 ? `campaign ${ids[0]} sends` : `campaigns ${listNames(ids.slice(0, -1))} and ${ids[ids.length - 1]} send`;
}

function places(sends: readonly MessageSend[]): string {
  const where = [...new Set(sends.map((s) => `${s.campaign.source.path}:${s.campaign.source.position(s.at).line}`))];
  return `sent at ${listNames(where, 5)}`;
}

function measure(
  config: PatronConfig,
  compiled: CompiledMessages,
  template: CompiledTemplate,
  sends: readonly MessageSend[],
  site: TemplateSite,
): SmsLengthReport | undefined {
  const { message } = template.unit;
  const carriers = config.coupons.filter((c) => c.message === message);
  let longest: SmsLengthReport | undefined;
  for (const coupon of carriers.length > 0 ? carriers : [undefined]) {
    let body: string;
    try {
      body = renderMessage(compiled, message, "sms", sampleContext(config, message, sends, coupon)).body;
    } catch {
      return undefined; // only a template with a problem fails here, and that is reported already
    }
    const { encoding, length, segments } = smsLength(body);
    if (longest === undefined || length > longest.length) {
      const line = site.source.position(site.range[0]).line;
      longest = { message, file: site.source.path, line, encoding, length, segments, ...(coupon && { coupon: coupon.name }) };
    }
  }
  return longest;
}

function tooLong(r: SmsLengthReport): [string, string] {
  const { single, perPart } = SMS_LIMITS[r.encoding];
  const why = r.encoding === "UCS-2" ? " (any Chinese character or emoji makes the whole SMS UCS-2)" : "";
  return [
    `the SMS of message "${r.message}" is ${r.segments} segments (${r.encoding}, ${r.length} characters with sample values${r.coupon ? ` and coupon "${r.coupon}"` : ""}): each one is billed as ${r.segments} SMS`,
    `${r.encoding} fits ${single} characters in one SMS, ${perPart} per part when longer${why}; ${r.length - single} fewer make it one. See docs/templates.md#sms-length`,
  ];
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
