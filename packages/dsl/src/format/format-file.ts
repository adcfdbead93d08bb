import type { ParseResult } from "../parser/parse.js";
import { layoutFile } from "./layout.js";
import { render } from "./render.js";
import { SourceScan } from "./source-scan.js";

/**
 * Prints a parsed campaign file in the canonical layout (see README.md in this folder).
 *
 * Only for files that parsed without errors: the text is printed from the AST, so anything the
 * parser had to skip would be lost. Formatting is idempotent, keeps the AST (all but offsets)
 * and keeps every comment.
 */
export function formatFile(result: ParseResult): string {
  const scan = new SourceScan(result.source.text, result.comments);
  return render(layoutFile(result.ast, scan), scan);
}
