import type { CommentToken } from "../parser/parse.js";
import type { Line } from "./layout.js";
import type { SourceScan } from "./source-scan.js";

/*
 * Which printed line a comment belongs to. Lines come in source order with increasing anchors
 * (the offset of the first word printed on each), so:
 *
 * - a comment on a line of its own belongs before the line that holds the next word after it;
 * - a comment after code belongs at the end of the line that holds the word before it.
 *
 * Used both to place comments (render.ts) and to decide whether a sentence may stay on one line
 * (layout.ts), so the two always agree.
 */

export type Placement = { readonly kind: "leading" | "trailing"; readonly line: number } | { readonly kind: "end" };

export function placeComment(lines: readonly Line[], comment: CommentToken, scan: SourceScan): Placement {
  if (scan.isOwnLine(comment)) {
    const next = scan.nextToken(comment.end);
    const line = lastLineAtOrBefore(lines, next);
    return next >= scan.text.length || line < 0 ? { kind: "end" } : { kind: "leading", line };
  }
  // A trailing comment always follows some word, so it finds a line; be safe regardless.
  const line = lastLineAtOrBefore(lines, comment.start - 1);
  return line < 0 ? { kind: "end" } : { kind: "trailing", line };
}

/** Index of the last line whose anchor is at or before `offset`, or -1. */
function lastLineAtOrBefore(lines: readonly Line[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((lines[mid] as Line).anchor <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
