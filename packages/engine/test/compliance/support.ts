import { relative } from "node:path";
import type { Region } from "@patron/config";
import { renderText, SourceFile, type Diagnostic } from "@patron/dsl";
import { checkCompliance } from "../../src/compliance/index.js";
import { BASE_YAML, project, type Project } from "../render/support.js";

/*
 * A Mini Shop repository (render/support.ts) in a given region, with the SMS channel's signature,
 * optOutText and a frequencyCap set or not, checked by the compliance lint as `patron check` does.
 */

export interface Settings {
  readonly region?: Region;
  readonly signature?: string;
  readonly optOutText?: string;
  /** Most tests are about one rule: a cap keeps W703 quiet unless asked for. */
  readonly frequencyCap?: boolean;
}

export function base(settings: Settings = {}): string {
  const { region = "cn", signature, optOutText, frequencyCap = true } = settings;
  const sms = [
    signature && `    signature: ${JSON.stringify(signature)}\n`,
    optOutText && `    optOutText: ${JSON.stringify(optOutText)}\n`,
  ]
    .filter(Boolean)
    .join("");
  return (
    BASE_YAML.replace("region: cn", `region: ${region}`).replace(
      "    authToken: { env: TWILIO_AUTH_TOKEN }\n",
      `    authToken: { env: TWILIO_AUTH_TOKEN }\n${sms}`,
    ) + (frequencyCap ? "frequencyCap: { messages: 2, days: 7 }\n" : "")
  );
}

/** messages.NAME with an SMS body written in patron.yaml. */
export const sms = (name: string, body: string, purpose: "service" | "marketing" = "marketing"): string =>
  `  ${name}:\n    purpose: ${purpose}\n    sms: { body: ${JSON.stringify(body)} }\n`;

/** messages.NAME with an SMS template file (templates/NAME.sms.hbs). */
export const smsFile = (name: string, purpose: "service" | "marketing" = "marketing"): string =>
  `  ${name}:\n    purpose: ${purpose}\n    sms: { file: ${name}.sms.hbs }\n`;

export interface Linted {
  readonly project: Project;
  readonly diagnostics: readonly Diagnostic[];
  /** The diagnostics as `patron check` prints them. */
  readonly text: string;
}

export function lint(settings: Settings, messages: string, files: Readonly<Record<string, string>> = {}): Linted {
  const p = project(`${base(settings)}messages:\n${messages}`, files);
  const result = checkCompliance(p.config, p.campaigns, { displayPath: (abs) => relative(p.dir, abs) });
  const sources = new Map<string, SourceFile>(result.sources.map((s) => [s.path, s]));
  for (const [name, text] of Object.entries(files)) if (name.endsWith(".campaign")) sources.set(name, new SourceFile(name, text));
  const text = result.diagnostics.map((d) => renderText(d, (path) => sources.get(path))).join("\n\n");
  return { project: p, diagnostics: result.diagnostics, text };
}

/** `file:line:column CODE` of each diagnostic: what most tests pin down. */
export function places(linted: Linted): string[] {
  return linted.diagnostics.map((d) => `${d.file}:${d.span.start.line}:${d.span.start.column} ${d.code}`);
}
