import type { PatronConfig } from "@patron/config";
import type { TemplateDelegate } from "handlebars";
import { analyzeTemplate, type Analysis, type TemplateProblem } from "./analyze.js";
import type { InputSettings } from "./context.js";
import { createEnvironment, HELPERS } from "./helpers.js";
import { jsonFormCompilers } from "./json-form.js";
import { parseTemplate } from "./parse.js";
import { compileSetUpOnce } from "./set-up-once.js";
import { templateUnits, type TemplateUnit } from "./units.js";
import { fieldKind, memberFields, variableTree } from "./variables.js";

/** One template, checked and ready to render; `problems` non-empty means it cannot be rendered. */
export interface CompiledTemplate {
  readonly unit: TemplateUnit;
  /** Absent when the template could not be read or parsed. */
  readonly analysis?: Analysis;
  /** Syntax errors, unknown variables and helpers, an unreadable file: what `patron check` reports as errors. */
  readonly problems: readonly TemplateProblem[];
  /** Absent when there are problems. */
  readonly render?: TemplateDelegate;
  /**
   * The same template rendering its text as it stands inside a JSON string (json-form.ts), for
   * content planning writes as JSON: compiled on first call (`patron check` never needs it), then
   * kept. Absent with `render`, or when this Handlebars cannot make it.
   */
  readonly jsonForm?: () => TemplateDelegate;
}

export interface CompiledMessages {
  readonly settings: InputSettings;
  /** Every template of every message, in patron.yaml's order. */
  readonly templates: readonly CompiledTemplate[];
  /** WeChat template ids by message name. */
  readonly wechatTemplateIds: ReadonlyMap<string, string>;
}

// Never allowProtoPropertiesByDefault / allowProtoMethodsByDefault: templates reach only the
// context's own values. knownHelpersOnly makes Handlebars itself refuse any helper not in HELPERS.
const KNOWN_HELPERS = {
  ...Object.fromEntries([...HELPERS.keys()].map((name) => [name, true])),
  each: false,
  with: false,
  lookup: false,
  log: false,
};

/**
 * Reads, parses and checks every template of patron.yaml, once per run, in one Handlebars
 * environment of its own. Never throws for a bad template: its problems are recorded, and
 * renderMessage refuses only the messages that have one.
 */
export function compileMessages(config: PatronConfig): CompiledMessages {
  const env = createEnvironment();
  const tree = variableTree(config);
  const templates = templateUnits(config).map((unit): CompiledTemplate => {
    if (unit.text === undefined) {
      const loc = { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } };
      return {
        unit,
        problems: [
          {
            code: "E404",
            message: `cannot read the template file ${unit.label}: ${unit.readError ?? ""}`,
            help: "check the file name under messages in patron.yaml (relative to the templates folder)",
            loc,
          },
        ],
      };
    }
    const parsed = parseTemplate(env, unit.text);
    if ("problem" in parsed) return { unit, problems: [parsed.problem] };
    const analysis = analyzeTemplate(parsed.program, tree);
    if (analysis.problems.length > 0) return { unit, analysis, problems: analysis.problems };
    const options = { strict: true, noEscape: !unit.escape, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
    const render = compileSetUpOnce(env, unit.text, options);
    const json = jsonFormCompilers(env);
    if (!json) return { unit, analysis, problems: [], render };
    const text = unit.text;
    let jsonForm: TemplateDelegate | undefined;
    return { unit, analysis, problems: [], render, jsonForm: () => (jsonForm ??= compileSetUpOnce(env, text, options, json)) };
  });
  // Only the member fields some template shows are put in a template's context: converting every
  // date field of every member to the member's zone was most of the cost of rendering a million.
  const used = new Set<string>();
  for (const t of templates)
    for (const u of t.analysis?.uses ?? []) if (u.parts[0] === "member" && u.parts[1] !== undefined) used.add(u.parts[1]);
  const fields = new Map(
    memberFields(config)
      .filter((field) => used.has(field.name))
      .map((field) => [field.name, fieldKind(field)]),
  );
  return {
    settings: { region: config.region, timezone: config.timezone, business: config.business, fields },
    templates,
    wechatTemplateIds: new Map(config.messages.flatMap((m) => (m.wechat ? [[m.name, m.wechat.templateId] as const] : []))),
  };
}
