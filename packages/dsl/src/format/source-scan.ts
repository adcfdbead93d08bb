import type { CommentToken } from "../parser/parse.js";

/*
 * Questions the formatter asks about the original text: where comments are, whether a comment
 * has a line of its own, where the next word starts, whether the author left a blank line.
 * The AST does not record keywords such as `and`, so their offsets are found here by skipping
 * what lies between two nodes (only white space, comments and that one keyword).
 */

/** The characters the lexer skips as white space (tokens.ts, `WhiteSpace`). */
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\u00A0" || c === "\u3000" || c === "\uFEFF";
}

export class SourceScan {
  private readonly commentAt = new Map<number, CommentToken>();
  /** The comments of the file, in source order. */
  readonly comments: readonly CommentToken[];

  constructor(
    readonly text: string,
    comments: readonly CommentToken[],
  ) {
    this.comments = [...comments].sort((a, b) => a.start - b.start);
    for (const c of comments) this.commentAt.set(c.start, c);
  }

  /** Offset of the first character of the next token at or after `offset`, or text.length. */
  nextToken(offset: number): number {
    let i = offset;
    for (;;) {
      while (i < this.text.length && isSpace(this.text.charAt(i))) i++;
      const comment = this.commentAt.get(i);
      if (!comment) return i;
      i = comment.end;
    }
  }

  /** A comment with nothing but white space before it on its line. */
  isOwnLine(comment: CommentToken): boolean {
    for (let i = comment.start - 1; i >= 0; i--) {
      const c = this.text.charAt(i);
      if (c === "\n" || c === "\r") return true;
      if (!isSpace(c)) return false;
    }
    return true;
  }

  /** The comments that start strictly inside [start, end). */
  inside(start: number, end: number): CommentToken[] {
    // Binary search for the first comment after `start`.
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.comments[mid] as CommentToken).start <= start) lo = mid + 1;
      else hi = mid;
    }
    const out: CommentToken[] = [];
    for (let i = lo; i < this.comments.length; i++) {
      const c = this.comments[i] as CommentToken;
      if (c.start >= end) break;
      out.push(c);
    }
    return out;
  }

  /** Whether the white space just before `offset` holds an empty line. */
  blankLineBefore(offset: number): boolean {
    let breaks = 0;
    for (let i = offset - 1; i >= 0; i--) {
      const c = this.text.charAt(i);
      if (!isSpace(c)) break;
      if (c === "\n" || (c === "\r" && this.text.charAt(i + 1) !== "\n")) breaks++;
    }
    return breaks >= 2;
  }
}
