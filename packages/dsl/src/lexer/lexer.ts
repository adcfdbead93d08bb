import { Lexer, type IToken } from "chevrotain";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source/source-file.js";
import { ALL_TOKENS, StringLiteral, UnclosedString } from "./tokens.js";

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

// One lexer for the whole process: building it analyses every pattern, which is costly.
let lexer: Lexer | undefined;
function theLexer(): Lexer {
  // Offsets only: lines and columns come from SourceFile when a diagnostic is shown. The end
  // offset the parser's node locations need is filled in below, cheaper than "full" tracking.
  lexer ??= new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset", ensureOptimizations: true });
  return lexer;
}

/**
 * Splits a file into tokens. Never throws: characters the language does not use are reported
 * (runs of them as one diagnostic) and skipped; an unclosed string is reported and kept as a
 * string so the parser can go on and find the file's other mistakes.
 */
export function lex(file: SourceFile): LexResult {
  const diagnostics: Diagnostic[] = [];
  if (looksBinary(file.text)) {
    diagnostics.push({
      severity: "error",
      code: "E006",
      file: file.path,
      span: file.span(0, 0),
      message: "this file is not text (it contains binary data)",
      help: "campaign files are UTF-8 text; check that the right file was named",
    });
    return { tokens: [], comments: [], diagnostics };
  }

  const result = theLexer().tokenize(file.text);

  let runStart = -1;
  let runEnd = -1;
  const flushRun = (): void => {
    if (runStart < 0) return;
    const text = file.text.slice(runStart, runEnd);
    diagnostics.push({
      severity: "error",
      code: "E001",
      file: file.path,
      span: file.span(runStart, runEnd),
      message: `unexpected character${[...text].length > 1 ? "s" : ""} ${JSON.stringify(text)}`,
      help: characterHelp(text),
    });
    runStart = -1;
  };
  for (const error of result.errors) {
    const start = error.offset;
    const end = error.offset + error.length;
    if (runStart >= 0 && start === runEnd) {
      runEnd = end;
    } else {
      flushRun();
      runStart = start;
      runEnd = end;
    }
  }
  flushRun();

  const tokens = result.tokens;
  addPositions(tokens, file.text);
  tokens.forEach((token, index) => {
    if (token.tokenType !== UnclosedString) return;
    diagnostics.push(unclosedStringDiagnostic(file, tokens, index));
    token.tokenType = StringLiteral;
    token.tokenTypeIdx = StringLiteral.tokenTypeIdx ?? token.tokenTypeIdx;
    token.image = token.image + closingQuoteFor(token.image);
  });
  return { tokens, comments: result.groups["comments"] ?? [], diagnostics };
}

/**
 * The quote the lexer finds unclosed is the last one on the line, but the missing quote is
 * often earlier: in `brand "Head & Shoulders within 30 days, send coupon "HS-20" via sms` the
 * first quote pairs with the one before HS-20 and the last one is left over. A closing quote
 * glued to the next word (`"HS-20`) is really an opening one, so the text that "ends" there is
 * the one missing its quote: point at it instead. Only the diagnostic moves; tokens are as lexed.
 */
function unclosedStringDiagnostic(file: SourceFile, tokens: readonly IToken[], index: number): Diagnostic {
  const token = tokens[index] as IToken;
  let culprit: IToken | undefined;
  for (let j = index - 1; j >= 0; j--) {
    const earlier = tokens[j] as IToken;
    if (earlier.startLine !== token.startLine) break;
    const after = file.text.charAt(earlier.startOffset + earlier.image.length);
    if (earlier.tokenType === StringLiteral && /[\p{L}\p{N}_]/u.test(after)) culprit = earlier;
  }
  if (culprit) {
    const end = culprit.startOffset + culprit.image.length - 1;
    return {
      severity: "error",
      code: "E002",
      file: file.path,
      span: file.span(culprit.startOffset, end),
      message: "this text has no closing quote",
      help: `the quotes on this line do not pair up; ${closingQuoteHelp(culprit.image.slice(0, -1))}`,
    };
  }
  return {
    severity: "error",
    code: "E002",
    file: file.path,
    span: file.span(token.startOffset, token.startOffset + token.image.length),
    message: "this text has no closing quote",
    help: closingQuoteHelp(token.image),
  };
}

/**
 * The end offset (the parser's node locations need it) and the line numbers (the error messages
 * use them) of every token, in one pass over the text: cheaper than chevrotain's "full" position
 * tracking, which also computes columns nobody reads. Lines end at \n, \r\n or a lone \r, as
 * in SourceFile.
 */
function addPositions(tokens: IToken[], text: string): void {
  let line = 1;
  let at = 0;
  const advance = (to: number): void => {
    for (; at < to; at++) {
      const c = text.charCodeAt(at);
      if (c === 10 || (c === 13 && text.charCodeAt(at + 1) !== 10)) line++;
    }
  };
  for (const token of tokens) {
    advance(token.startOffset);
    token.startLine = line;
    token.endOffset = token.startOffset + token.image.length - 1;
    advance(Math.min(text.length, token.endOffset + 1));
    token.endLine = line;
  }
}

function closingQuoteFor(image: string): string {
  const open = image.charAt(0);
  return open === "“" ? "”" : open;
}

/**
 * Where the closing quote probably belongs: before the first word that continues the sentence
 * (`"welcome via sms` → `"welcome"`), else at the end of the line.
 */
function closingQuoteHelp(image: string): string {
  const close = closingQuoteFor(image);
  const body = image.slice(1);
  const cut = /\s+(?:via|within)\s|\s*[,，]\s*(?:send|award)\s|[)）]/i.exec(body);
  if (cut && cut.index > 0)
    return `add the closing quote where the text ends, probably: ${image.charAt(0)}${body.slice(0, cut.index)}${close}`;
  return `add the closing quote: ${image}${close}`;
}

/** ASCII punctuation the language uses, so a full-width twin can be named. */
const USABLE_ASCII = new Set([">=", "<=", "!=", ">", "<", "=", "==", "%", "(", ")", ",", "{", "}"]);

function characterHelp(text: string): string {
  if (/^[;；]+$/.test(text))
    return "use a comma instead: the comma is the one mark between the condition and the action (when CONDITION, ACTION)";
  if (/^[.。．]+$/.test(text)) return "sentences end without a full stop: remove it";
  if (text === "、") return 'separate values in a list with a comma: ("北京", "上海")';
  const halfWidth = text.normalize("NFKC");
  if (halfWidth !== text && USABLE_ASCII.has(halfWidth)) {
    return `"${text}" is typed in full-width; switch the keyboard to English (half-width) and type ${halfWidth}`;
  }
  if (text.startsWith("-")) return 'numbers cannot be negative; a name with a dash must be quoted, for example "anti-age"';
  if (text.startsWith("[") || text.startsWith("]")) return 'lists are written in parentheses: ("a", "b")';
  return "remove it, or put the text in double quotes if it is part of a name";
}

/**
 * NUL bytes, or a text that is mostly control characters, mean this is not a campaign file at
 * all. A few stray control characters (pasted into a comment) do not: the formatter removes
 * whitespace, and its output must still read as text.
 */
function looksBinary(text: string): boolean {
  const sample = text.length > 8192 ? text.slice(0, 8192) : text;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return control >= 32 && control / sample.length > 0.3;
}
