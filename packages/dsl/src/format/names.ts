import { tokenMatcher } from "chevrotain";
import type { NameNode } from "../ast/nodes.js";
import { lex } from "../lexer/lexer.js";
import { Name } from "../lexer/tokens.js";
import { SourceFile } from "../source/source-file.js";

/*
 * How names are printed. A name the author wrote bare stays bare as long as the lexer would still
 * read it back as one name token; everything else is printed in double quotes. The lexer itself
 * is the judge of "is a bare name" (rather than a copy of its patterns here), so the formatter can
 * never print a word that reads back as a keyword, a number or two words.
 */

const bareWords = new Map<string, boolean>();
const CACHE_LIMIT = 10_000;

/** True when `word`, written without quotes, is read back as exactly one name token. */
export function isBareName(word: string): boolean {
  const known = bareWords.get(word);
  if (known !== undefined) return known;
  const { tokens, comments, diagnostics } = lex(new SourceFile("<name>", word));
  const [only] = tokens;
  const bare =
    diagnostics.length === 0 &&
    comments.length === 0 &&
    tokens.length === 1 &&
    only !== undefined &&
    only.image === word &&
    tokenMatcher(only, Name);
  if (bareWords.size >= CACHE_LIMIT) bareWords.clear();
  bareWords.set(word, bare);
  return bare;
}

/**
 * A string literal in the canonical double quotes. Escapes are the inverse of the lexer's
 * unquoting: `\` and `"` are escaped, and a newline or tab in the value (which can only have come
 * from `\n` or `\t`) is written back as that escape.
 */
export function quoted(value: string): string {
  const body = value.replace(/[\\"\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\${c}`));
  return `"${body}"`;
}

export function printName(name: NameNode): string {
  return !name.quoted && isBareName(name.value) ? name.value : quoted(name.value);
}

/** Channels are stored lower-cased and carry no quoting; print them bare whenever possible. */
export function printChannel(channel: string): string {
  return isBareName(channel) ? channel : quoted(channel);
}
