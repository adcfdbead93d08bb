import type { SourceFile } from "../source/source-file.js";
import { DIAGNOSTIC_CODES } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";

/*
 * The one place diagnostics become text. The CLI and the golden tests both use it, so what a
 * test pins down is exactly what a marketer sees.
 */

export interface TextStyle {
  readonly error: (s: string) => string;
  readonly warning: (s: string) => string;
  readonly location: (s: string) => string;
  readonly gutter: (s: string) => string;
  readonly help: (s: string) => string;
}

const plain = (s: string): string => s;
export const PLAIN_STYLE: TextStyle = { error: plain, warning: plain, location: plain, gutter: plain, help: plain };

/** Looks up the text of the file a diagnostic is about (for the source line under the message). */
export type SourceLookup = (path: string) => SourceFile | undefined;

/**
 * ```
 * campaigns/winback.campaign:3:14 error[E202]: unknown tier "platnum"
 *   3 |  and tier >= platnum
 *     |              ^^^^^^^
 *   help: did you mean "platinum"? Known tiers: silver, gold, platinum, diamond
 * ```
 */
export function renderText(d: Diagnostic, lookup: SourceLookup, style: TextStyle = PLAIN_STYLE): string {
  const { line, column } = d.span.start;
  const severity = d.severity === "error" ? style.error(`error[${d.code}]`) : style.warning(`warning[${d.code}]`);
  const out = [`${style.location(`${d.file}:${line}:${column}`)} ${severity}: ${d.message}`];
  const source = lookup(d.file);
  // The source line of a binary file is noise, and its control characters would reach the terminal.
  if (source && source.text.length > 0 && d.code !== "E006") {
    const text = visible(source.lineText(line));
    const number = String(line);
    const pad = " ".repeat(number.length);
    const before = [...text].slice(0, column - 1);
    const sameLine = d.span.end.line === line;
    const endColumn = sameLine ? d.span.end.column : [...text].length + 1;
    const marked = [...text].slice(column - 1, Math.max(column, endColumn) - 1);
    const caretCount = Math.max(1, displayWidth(marked.join("")));
    // Keep tabs as tabs under the line so the caret lines up however the terminal shows them.
    const lead = before.map((c) => (c === "\t" ? "\t" : " ".repeat(displayWidth(c)))).join("");
    out.push(`${style.gutter(`  ${number} |`)} ${truncate(text)}`);
    out.push(`${style.gutter(`  ${pad} |`)} ${lead}${style[d.severity]("^".repeat(caretCount))}`);
  }
  if (d.help) out.push(`  ${style.help("help")}: ${d.help}`);
  return out.join("\n");
}

/**
 * Control characters are shown as their Unicode pictures (␀, ␛, …), one column each, so an
 * echoed line can never move the cursor or recolour a terminal or a CI log.
 */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, (c) =>
    String.fromCharCode(c === "\u007F" ? 0x2421 : 0x2400 + c.charCodeAt(0)),
  );
}

/** Very long lines (a minified or generated file) are cut so the report stays readable. */
function truncate(text: string): string {
  const chars = [...text];
  return chars.length > 400 ? `${chars.slice(0, 400).join("")}…` : text;
}

/** Terminal columns a string takes: East Asian wide and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** The JSON shape of one diagnostic; documented in docs/cli.md. Lines and columns are 1-based. */
export interface DiagnosticJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly title: string;
  readonly message: string;
  readonly help: string | null;
}

export function toJson(d: Diagnostic): DiagnosticJson {
  return {
    file: d.file,
    line: d.span.start.line,
    column: d.span.start.column,
    endLine: d.span.end.line,
    endColumn: d.span.end.column,
    severity: d.severity,
    code: d.code,
    title: DIAGNOSTIC_CODES[d.code],
    message: d.message,
    help: d.help ?? null,
  };
}

/** A GitHub Actions workflow command, shown as an annotation on the pull request's diff. */
export function renderGithub(d: Diagnostic): string {
  const props = [
    `file=${escapeProperty(d.file)}`,
    `line=${d.span.start.line}`,
    `col=${d.span.start.column}`,
    `endLine=${d.span.end.line}`,
    `endColumn=${d.span.end.column}`,
    `title=${escapeProperty(`${d.code} ${DIAGNOSTIC_CODES[d.code]}`)}`,
  ].join(",");
  const body = d.help ? `${d.message}\nhelp: ${d.help}` : d.message;
  return `::${d.severity} ${props}::${escapeData(body)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
