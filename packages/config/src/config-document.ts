import { dirname } from "node:path";
import type { Diagnostic, DiagnosticCode, SourceFile } from "@patron/dsl";
import type { Document } from "yaml";
import type { KeyPath } from "./key-path.js";
import { keyRange, mappingRange, valueRange, type Range } from "./yaml-location.js";

/**
 * One patron.yaml being loaded: its text, its YAML document, the plain data, and the diagnostics
 * found so far. Checks report against key paths; this turns them into file positions.
 */
export class ConfigDocument {
  readonly diagnostics: Diagnostic[] = [];
  /** The folder holding patron.yaml: relative paths in it start here. */
  readonly dir: string;

  constructor(
    readonly source: SourceFile,
    /** The path as the caller named it; diagnostics carry it unchanged. */
    readonly displayFile: string,
    readonly doc: Document,
    readonly data: unknown,
  ) {
    this.dir = dirname(source.path);
  }

  /** A problem with the value at `path`. */
  valueError(code: DiagnosticCode, path: KeyPath, message: string, help?: string): void {
    this.report(code, valueRange(this.doc, this.source.text, path), message, help);
  }

  /** A problem with the key at the end of `path`. */
  keyError(code: DiagnosticCode, path: KeyPath, message: string, help?: string): void {
    this.report(code, keyRange(this.doc, this.source.text, path), message, help);
  }

  /** A problem with the mapping at `path` as a whole, such as a missing key. */
  mappingError(code: DiagnosticCode, path: KeyPath, message: string, help?: string): void {
    this.report(code, mappingRange(this.doc, this.source.text, path), message, help);
  }

  /** The text of the value at `path`, as written in the file. */
  valueText(path: KeyPath): string {
    const [start, end] = valueRange(this.doc, this.source.text, path);
    return this.source.text.slice(start, end);
  }

  private report(code: DiagnosticCode, [start, end]: Range, message: string, help: string | undefined): void {
    const span = this.source.span(start, end);
    // ajv can report one fault twice (e.g. under two schema keywords); say it once.
    if (this.diagnostics.some((d) => d.span.start.offset === start && d.message === message)) return;
    this.diagnostics.push({
      severity: "error",
      code,
      file: this.displayFile,
      span,
      message,
      ...(help === undefined ? {} : { help }),
    });
  }
}
