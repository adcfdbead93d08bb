import fc from "fast-check";
import { lex } from "../../src/lexer/lexer.js";
import { KEYWORD_SPELLINGS } from "../../src/lexer/tokens.js";
import { SourceFile } from "../../src/index.js";

/*
 * Mutations of campaign files for property tests. Positions are drawn as plain numbers and taken
 * modulo the length of whatever they apply to, so one mutation fits any text.
 */

const KEYWORDS = [...KEYWORD_SPELLINGS.values()];

/** Words and symbols a marketer (or a typo) might put anywhere. */
const VOCABULARY = [
  ...KEYWORDS,
  ",",
  "(",
  ")",
  "{",
  "}",
  "%",
  "=",
  ">=",
  "<=",
  "!=",
  "<",
  ">",
  "≥",
  "<>",
  "==",
  '"',
  "'",
  "“",
  "”",
  "#",
  "\\",
  "，",
  "（",
  "）",
  "％",
  '"Head & Shoulders"',
  '"海飞丝"',
  "'x'",
  "“上海”",
  '""',
  "gold",
  "A",
  "北京",
  "85123A",
  "0",
  "1",
  "30",
  "1.5",
  "1.2.3",
  "2026-12-01",
  "2026-13-45",
  "09:30",
  "25:00",
  "\n",
  "\r\n",
  "\r",
  "\t",
  " ",
  "\u00A0",
  "\u3000",
  "\uFEFF",
  "\u2028",
];

/** Pieces of text: runs of white space, comments, strings, words, single symbols. */
function pieces(text: string): string[] {
  return text.match(/\s+|#[^\r\n]*|"(?:[^"\\\r\n]|\\.)*"|[^\s#",(){}，（）]+|[^]/gu) ?? [];
}

function isBlank(piece: string): boolean {
  return /^\s+$/u.test(piece);
}

export type Mutation = (text: string, other: string) => string;

const at = (n: number, length: number): number => (length === 0 ? 0 : n % (length + 1));

/** Applies `edit` to the `n`-th non-blank piece (modulo their number). */
function onPiece(text: string, n: number, edit: (list: string[], index: number) => void): string {
  const list = pieces(text);
  const solid = list.flatMap((p, i) => (isBlank(p) ? [] : [i]));
  if (solid.length === 0) return text;
  edit(list, solid[n % solid.length] as number);
  return list.join("");
}

const word = fc.oneof(fc.constantFrom(...VOCABULARY), fc.string({ unit: "binary", minLength: 1, maxLength: 6 }));

/** Any of the ways a file gets broken: by characters, by words, by cutting, by pasting. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([n, length]): Mutation => (t) => {
    const i = at(n, t.length);
    return t.slice(0, i) + t.slice(i + length);
  }),
  fc.tuple(fc.nat(), word).map(([n, w]): Mutation => (t) => {
    const i = at(n, t.length);
    return t.slice(0, i) + w + t.slice(i);
  }),
  fc.nat().map(
    (n): Mutation =>
      (t) =>
        onPiece(t, n, (list, i) => list.splice(i, 1)),
  ),
  fc.nat().map(
    (n): Mutation =>
      (t) =>
        onPiece(t, n, (list, i) => list.splice(i, 0, list[i] ?? "", " ")),
  ),
  fc.tuple(fc.nat(), word).map(
    ([n, w]): Mutation =>
      (t) =>
        onPiece(t, n, (list, i) => list.splice(i, 0, w, " ")),
  ),
  fc.tuple(fc.nat(), word).map(
    ([n, w]): Mutation =>
      (t) =>
        onPiece(t, n, (list, i) => list.splice(i, 1, w)),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([n, m]): Mutation =>
      (t) =>
        onPiece(t, n, (list, i) => {
          const solid = list.flatMap((p, k) => (isBlank(p) ? [] : [k]));
          const j = solid[m % solid.length] as number;
          [list[i], list[j]] = [list[j] ?? "", list[i] ?? ""];
        }),
  ),
  fc.nat().map(
    (n): Mutation =>
      (t) =>
        t.slice(0, at(n, t.length)),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([n, m]): Mutation =>
      (t, other) =>
        t.slice(0, at(n, t.length)) + other.slice(at(m, other.length)),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([n, m]): Mutation => (t) => {
    const lines = t.split("\n");
    const i = n % lines.length;
    const j = m % lines.length;
    [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
    return lines.join("\n");
  }),
  fc.nat().map((n): Mutation => (t) => {
    const lines = t.split("\n");
    const i = n % lines.length;
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  }),
);

// ---- layout-only changes: same words, other spacing, case and comments ----

const space = fc.constantFrom(" ", "  ", "\t", "\n", "\n  ", "\n\n", "\n\n\n    ", "\r\n", " \u00A0", "\u3000");
/**
 * Comment text: no line breaks (they would end the comment) and no control characters (they
 * trip the lexer's binary-file heuristic; see the E006 case in property.test.ts).
 */
function isCommentChar(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code !== 0x7f && code !== 0xfffd && code !== 0x2028 && code !== 0x2029;
}
const commentText = fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => `#${[...s].filter(isCommentChar).join("")}`);
const gap = fc.oneof(
  { weight: 6, arbitrary: space },
  { weight: 1, arbitrary: fc.tuple(space, commentText).map(([s, c]) => `${s}${c}\n`) },
  { weight: 1, arbitrary: fc.tuple(commentText, space).map(([c, s]) => `\n${c}\n${s}`) },
);

/**
 * Re-spaces a file token by token: each gap between two tokens is kept or replaced by other
 * white space, possibly with a comment (own-line or trailing), and keywords get random case.
 * The words stay the same, so a valid file almost always stays valid.
 */
export function relayout(text: string, gaps: readonly (string | undefined)[], cases: readonly number[]): string {
  const { tokens, diagnostics } = lex(new SourceFile("relayout", text));
  if (diagnostics.length > 0 || tokens.length === 0) return text;
  let out = "";
  let last = 0;
  tokens.forEach((token, i) => {
    const original = text.slice(last, token.startOffset);
    const replacement = gaps.length > 0 ? gaps[i % gaps.length] : undefined;
    out += replacement !== undefined && i > 0 ? replacement : original;
    let image = text.slice(token.startOffset, token.startOffset + token.image.length);
    if (KEYWORD_SPELLINGS.has(token.tokenType) && cases.length > 0) {
      const c = cases[i % cases.length];
      image = c === 1 ? image.toUpperCase() : c === 2 ? image.charAt(0).toUpperCase() + image.slice(1).toLowerCase() : image;
    }
    out += image;
    last = token.startOffset + token.image.length;
  });
  return out + text.slice(last);
}

export const layoutChange = fc.record({
  // `undefined` keeps the author's gap.
  gaps: fc.array(fc.option(gap, { nil: undefined, freq: 2 }), { maxLength: 40 }),
  cases: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 10 }),
});
