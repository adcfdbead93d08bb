import type { Range } from "../ast/nodes.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import type { Diagnostic, Severity } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source/source-file.js";

/**
 * Checks never throw; they `report` what they find against a node of one file, and the
 * reporter turns offsets into positions.
 */
export class Reporter {
  constructor(
    readonly source: SourceFile,
    private readonly sink: Diagnostic[],
  ) {}

  error(code: DiagnosticCode, at: Range, message: string, help?: string): void {
    this.report("error", code, at, message, help);
  }

  warning(code: DiagnosticCode, at: Range, message: string, help?: string): void {
    this.report("warning", code, at, message, help);
  }

  private report(severity: Severity, code: DiagnosticCode, at: Range, message: string, help?: string): void {
    this.sink.push({
      severity,
      code,
      file: this.source.path,
      span: this.source.span(at.start, at.end),
      message,
      ...(help ? { help } : {}),
    });
  }
}
