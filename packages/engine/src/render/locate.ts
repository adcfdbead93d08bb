import { SourceFile, type Span } from "@patron/dsl";
import type { TemplateLoc } from "./analyze.js";
import type { TemplateUnit } from "./units.js";

/*
 * Where a template's mistakes are shown: in its file, or for text written in patron.yaml, in
 * patron.yaml itself. The loaded configuration keeps no positions, so an inline template is found
 * again in the YAML text: under `messages:`, the message's key, then each key of its path. When
 * the value is written there character for character (plain, or quoted without escapes), a
 * mistake points at the exact characters; otherwise at its key, or at the message's name.
 */

export interface TemplateSite {
  readonly source: SourceFile;
  /** Offset of the template's first character in `source`, when the text is written there as is. */
  readonly base?: number;
  /** [start, end) to point at when `base` is absent, and for problems with the template as a whole. */
  readonly range: readonly [number, number];
}

/** The keys under messages.NAME naming a template file, by the part it holds. */
const FILE_KEYS: Readonly<Record<string, readonly string[]>> = {
  body: ["sms", "file"],
  text: ["email", "textFile"],
  html: ["email", "htmlFile"],
};

export function templateSite(unit: TemplateUnit, config: SourceFile, display: (absolute: string) => string): TemplateSite {
  if (unit.file !== undefined && unit.text !== undefined) {
    const source = new SourceFile(display(unit.file), unit.text);
    const firstLineEnd = unit.text.search(/\r|\n|$/);
    return { source, base: 0, range: [0, firstLineEnd] };
  }
  const keyPath = unit.file !== undefined ? (FILE_KEYS[unit.part] ?? unit.keyPath) : unit.keyPath;
  const found = locateInline(config.text, unit.message, keyPath, unit.file === undefined ? unit.text : undefined);
  return { source: config, ...found };
}

/** The span in the site's file of a position range inside the template. */
export function spanIn(site: TemplateSite, text: string, loc: TemplateLoc): Span {
  if (site.base === undefined) return site.source.span(site.range[0], site.range[1]);
  const start = site.base + offsetOf(text, loc.start.line, loc.start.column);
  const end = site.base + offsetOf(text, loc.end.line, loc.end.column);
  return site.source.span(start, end);
}

/** The offset of a Handlebars position (1-based line, 0-based UTF-16 column) in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.slice(start).search(/\r\n?|\n/);
    if (next === -1) return text.length;
    start += next + (text.startsWith("\r\n", start + next) ? 2 : 1);
  }
  return Math.min(start + column, text.length);
}

function locateInline(yaml: string, message: string, keyPath: readonly string[], text: string | undefined): Omit<TemplateSite, "source"> {
  const messages = /^messages[ \t]*:/m.exec(yaml);
  if (!messages) return { range: [0, 0] };
  const keyLine = new RegExp(`^([ \\t]+)(${quoted(message)})[ \\t]*:`, "gm");
  keyLine.lastIndex = messages.index + messages[0].length;
  const messagesEnd = endOfBlock(yaml, keyLine.lastIndex, 0);
  const found = keyLine.exec(yaml);
  if (!found || found.index > messagesEnd) return { range: [messages.index, messages.index + "messages".length] };
  const indent = found[1]?.length ?? 0;
  const nameStart = found.index + indent;
  const nameRange: [number, number] = [nameStart, nameStart + (found[2]?.length ?? 0)];
  const blockEnd = endOfBlock(yaml, found.index + found[0].length, indent);
  let cursor = found.index + found[0].length;
  let keyRange = nameRange;
  for (const key of keyPath) {
    const pattern = new RegExp(`(^|[\\s{,])(${quoted(key)})[ \\t]*:`, "m");
    const match = pattern.exec(yaml.slice(cursor, blockEnd));
    if (!match) return { range: keyRange };
    const keyStart = cursor + match.index + (match[1]?.length ?? 0);
    keyRange = [keyStart, keyStart + (match[2]?.length ?? 0)];
    cursor += match.index + match[0].length;
  }
  if (text === undefined || /[\r\n]/.test(text)) return { range: keyRange };
  const value = cursor + (/^[ \t]*/.exec(yaml.slice(cursor))?.[0].length ?? 0);
  const asIs = (base: number): Omit<TemplateSite, "source"> => ({ base, range: [base, base + text.length] });
  if (yaml.startsWith(`"${text}"`, value) && !/["\\]/.test(text)) return asIs(value + 1);
  if (yaml.startsWith(`'${text}'`, value) && !text.includes("'")) return asIs(value + 1);
  if (yaml.startsWith(text, value) && !/^["']/.test(text)) return asIs(value);
  return { range: keyRange };
}

/** Where the mapping under a key indented by `indent` ends: the next line indented as little. */
function endOfBlock(yaml: string, from: number, indent: number): number {
  const line = /\n([ \t]*)([^\s#])/g;
  line.lastIndex = from;
  for (let m = line.exec(yaml); m; m = line.exec(yaml)) {
    if ((m[1]?.length ?? 0) <= indent) return m.index;
  }
  return yaml.length;
}

/** A key as YAML may write it: bare, "double" or 'single' quoted. */
function quoted(key: string): string {
  const escaped = key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return `${escaped}|"${escaped}"|'${escaped}'`;
}
