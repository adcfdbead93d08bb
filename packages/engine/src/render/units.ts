import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { MessageConfig, PatronConfig, TemplateSource } from "@patron/config";
import type { ChannelName } from "@patron/dsl";

/**
 * One text to render: an SMS body, an email subject, text or HTML part, a WeChat data field or
 * link. Each is a template of its own, written in patron.yaml or in a file of the templates folder.
 */
export interface TemplateUnit {
  readonly message: string;
  readonly channel: ChannelName;
  /** "body", "subject", "text", "html", "url" or "data.FIELD". */
  readonly part: string;
  /** Only email HTML is HTML-escaped; SMS, email text and subject and WeChat fields are sent as written. */
  readonly escape: boolean;
  /** The template file (absolute), or absent for text written in patron.yaml. */
  readonly file?: string;
  /** For text written in patron.yaml: where, under messages.NAME (e.g. ["email", "subject"]). */
  readonly keyPath: readonly string[];
  /** The template text; absent when its file cannot be read (then readError says why). */
  readonly text?: string;
  readonly readError?: string;
  /** How errors name it: "templates/welcome.sms.hbs" or "patron.yaml messages.welcome.email.subject". */
  readonly label: string;
}

/** Every template of every message, in the order of patron.yaml. */
export function templateUnits(config: PatronConfig): TemplateUnit[] {
  return config.messages.flatMap((message) => messageUnits(config, message));
}

function messageUnits(config: PatronConfig, message: MessageConfig): TemplateUnit[] {
  const units: TemplateUnit[] = [];
  const add = (channel: ChannelName, part: string, keyPath: readonly string[], source: TemplateSource, escape = false): void => {
    units.push(unit(config, message.name, channel, part, keyPath, source, escape));
  };
  const inline = (text: string): TemplateSource => ({ kind: "inline", text });
  if (message.sms) add("sms", "body", ["sms", "body"], message.sms);
  if (message.email) {
    add("email", "subject", ["email", "subject"], inline(message.email.subject));
    if (message.email.text) add("email", "text", ["email", "text"], message.email.text);
    if (message.email.html) add("email", "html", ["email", "html"], message.email.html, true);
  }
  if (message.wechat) {
    if (message.wechat.url !== undefined) add("wechat", "url", ["wechat", "url"], inline(message.wechat.url));
    for (const [field, text] of Object.entries(message.wechat.data))
      add("wechat", `data.${field}`, ["wechat", "data", field], inline(text));
  }
  return units;
}

function unit(
  config: PatronConfig,
  message: string,
  channel: ChannelName,
  part: string,
  keyPath: readonly string[],
  source: TemplateSource,
  escape: boolean,
): TemplateUnit {
  const base = { message, channel, part, escape, keyPath };
  if (source.kind === "inline") {
    return { ...base, text: source.text, label: `patron.yaml messages.${message}.${keyPath.join(".")}` };
  }
  const label = relative(config.root, source.path);
  try {
    const text = readFileSync(source.path, "utf8");
    // Editors end files with a line break; in an SMS it would be one more character to pay for.
    return { ...base, file: source.path, text: channel === "sms" ? text.replace(/\r?\n$/, "") : text, label };
  } catch (error) {
    return { ...base, file: source.path, readError: readError(error), label };
  }
}

function readError(error: unknown): string {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  if (code === "ENOENT") return "it is not there";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
