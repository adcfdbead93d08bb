import { parse, SourceFile, type Diagnostic, type ParseResult } from "../../src/index.js";
import { formatFile } from "../../src/format/index.js";

/** Parses a text as the file `path`. */
export function parseText(text: string, path = "test.campaign"): ParseResult {
  return parse(new SourceFile(path, text));
}

export function errorsOf(result: ParseResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === "error");
}

/** One line per error, `line:column code message`, for readable assertion failures. */
export function describeErrors(result: ParseResult): string {
  return errorsOf(result)
    .map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`)
    .join("\n");
}

/** Parses and formats a text that must parse without errors. */
export function formatText(text: string, path = "test.campaign"): string {
  const result = parseText(text, path);
  const errors = describeErrors(result);
  if (errors) throw new Error(`${path} does not parse:\n${errors}`);
  return formatFile(result);
}

/** A deep copy of an AST (or any value) without the `start`/`end` offsets of its nodes. */
export function stripOffsets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripOffsets);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key !== "start" && key !== "end") out[key] = stripOffsets(inner);
    }
    return out;
  }
  return value;
}

/** The comment texts of a parse, sorted, to compare as a multiset. */
export function commentTexts(result: ParseResult): string[] {
  return result.comments.map((c) => c.text).sort();
}
