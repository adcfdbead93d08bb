import type { Span } from "../source/source-file.js";
import type { DiagnosticCode } from "./codes.js";

export type Severity = "error" | "warning";

/**
 * One problem found in a file. Diagnostics are data: every stage (lexer, parser, checker,
 * config loader) produces them, and one formatter turns them into text, JSON or CI annotations.
 */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, e.g. "E203"; see codes.ts and the language reference. */
  readonly code: DiagnosticCode;
  /** Path of the file, as the user named it (relative to the working folder where possible). */
  readonly file: string;
  readonly span: Span;
  /** What is wrong, in one sentence, facts only. */
  readonly message: string;
  /** What to do about it: a suggestion, the known names, the expected form. */
  readonly help?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by file, then position, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.span.start.offset - b.span.start.offset ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
