import type { CommentToken } from "../parser/parse.js";
import { placeComment } from "./attach.js";
import type { Line } from "./layout.js";
import type { SourceScan } from "./source-scan.js";

/*
 * Puts the comments back and writes the text. Every comment is attached to one printed line:
 *
 * - a comment on a line of its own goes, on its own line, before the printed line that holds the
 *   next word after it (at that line's indent; before a `}` at the indent of the block's items);
 *   with no word after it, it stays at the end of the file;
 * - a comment after code goes at the end of the printed line that holds the word before it.
 *
 * A line can end in only one comment (`a # x # y` would read back as the one comment `# x # y`), so
 * when several trailing comments meet on one line, all but the last go on their own lines just
 * above it. Empty lines are kept only between items (never inside a sentence), at most one.
 */

interface Attached {
  readonly leading: CommentToken[];
  readonly trailing: CommentToken[];
}

export function render(lines: readonly Line[], scan: SourceScan): string {
  const attached: Attached[] = lines.map(() => ({ leading: [], trailing: [] }));
  const atEnd: CommentToken[] = [];
  for (const comment of scan.comments) {
    const place = placeComment(lines, comment, scan);
    const target = place.kind === "end" ? undefined : attached[place.line];
    if (!target) atEnd.push(comment);
    else if (place.kind === "leading") target.leading.push(comment);
    else target.trailing.push(comment);
  }

  const out: string[] = [];
  const blank = (): void => {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
  };
  const policy = (separation: Line["separation"], offset: number): boolean =>
    separation === "always" || (separation === "source" && scan.blankLineBefore(offset));

  lines.forEach((line, i) => {
    const { leading, trailing } = attached[i] as Attached;
    const moved = trailing.slice(0, -1);
    const last = trailing[trailing.length - 1];
    const spaced = line.role !== "continuation";

    leading.forEach((comment, j) => {
      const wanted = j === 0 ? policy(line.separation, comment.start) : scan.blankLineBefore(comment.start);
      if (spaced && wanted) blank();
      out.push(" ".repeat(line.commentIndent) + comment.text);
    });
    // The empty line the author left before the code goes before the comments moved up to it.
    const codeBlank = leading.length === 0 ? policy(line.separation, line.anchor) : scan.blankLineBefore(line.anchor);
    if (spaced && line.role !== "close" && codeBlank) blank();
    for (const comment of moved) out.push(" ".repeat(line.indent) + comment.text);
    out.push(" ".repeat(line.indent) + line.text + (last ? ` ${last.text}` : ""));
  });

  for (const comment of atEnd) {
    if (scan.blankLineBefore(comment.start)) blank();
    out.push(comment.text);
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
