import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import { AstBuilder } from "../ast/build.js";
import type { FileNode } from "../ast/nodes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lex } from "../lexer/lexer.js";
import * as T from "../lexer/tokens.js";
import type { SourceFile } from "../source/source-file.js";
import { CampaignGrammar } from "./grammar.js";
import { decodeSyntaxError, messageProvider } from "./messages.js";

export interface CommentToken {
  /** The comment text including its leading `#`. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface ParseResult {
  readonly source: SourceFile;
  readonly ast: FileNode;
  readonly comments: readonly CommentToken[];
  readonly diagnostics: readonly Diagnostic[];
}

// Building the grammar analyses it once; chevrotain's docs ask for one reused parser instance.
let grammar: CampaignGrammar | undefined;
function theGrammar(): CampaignGrammar {
  grammar ??= new CampaignGrammar(messageProvider, { validate: false });
  return grammar;
}

/** Words that can start something at the top of a file: where parsing resumes after a mistake. */
const RESUME_AT = new Set([T.Campaign, T.Segment, T.When]);

/**
 * Parses one campaign file into an AST and every diagnostic the lexer, the parser and the
 * AST builder found. Never throws on any input.
 */
export function parse(source: SourceFile): ParseResult {
  const lexed = lex(source);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const comments = lexed.comments.map((c) => ({ text: c.image.trimEnd(), start: c.startOffset, end: c.startOffset + c.image.length }));
  const builder = new AstBuilder(source);

  if (lexed.tokens.length === 0) {
    if (lexed.diagnostics.length === 0) {
      diagnostics.push({
        severity: "warning",
        code: "W506",
        file: source.path,
        span: source.span(0, 0),
        message: "this file holds no campaign",
        help: 'write a sentence such as: when bought brand A within 30 days, send message "thanks" via sms',
      });
    }
    return { source, ast: builder.file([]), comments, diagnostics };
  }

  const tooDeep = nestingTooDeep(lexed.tokens);
  if (tooDeep) {
    diagnostics.push({
      severity: "error",
      code: "E109",
      file: source.path,
      span: source.span(tooDeep.startOffset, tooDeep.startOffset + tooDeep.image.length),
      message: `conditions are nested more than ${MAX_NESTING} levels deep here`,
      help: "write the condition with fewer parentheses and nots, or define parts of it as named segments",
    });
    return { source, ast: builder.file([]), comments, diagnostics };
  }

  const parser = theGrammar();
  const csts: CstNode[] = [];
  const syntax: Diagnostic[] = [];
  let rest: IToken[] = lexed.tokens;
  // The grammar stops at a word that cannot start anything; report it and resume at the next
  // `campaign`, `segment` or `when`, so later campaigns in the file are still checked.
  for (;;) {
    parser.input = rest;
    try {
      csts.push(parser.file());
    } catch (error) {
      // Recovery recurses; input built to defeat it (tens of thousands of stray words inside one
      // campaign) can still exhaust the stack. Report it rather than crash.
      if (!(error instanceof RangeError)) throw error;
      const at = rest[0] as IToken;
      diagnostics.push({
        severity: "error",
        code: "E101",
        file: source.path,
        span: source.span(at.startOffset, at.startOffset + at.image.length),
        message: "this part of the file has too many mistakes to read",
        help: "fix the first mistakes reported here and check again",
      });
      break;
    }
    const errors = parser.errors;
    let resumeFrom: number | undefined;
    for (const error of errors) {
      syntax.push(toDiagnostic(source, error));
      if (error.name === "NotAllInputParsedException") {
        const index = rest.indexOf(error.token);
        let next = index + 1;
        while (next < rest.length && !RESUME_AT.has((rest[next] as IToken).tokenType)) next++;
        resumeFrom = next;
      }
    }
    if (resumeFrom === undefined || resumeFrom >= rest.length) break;
    rest = rest.slice(resumeFrom);
  }

  const ast = builder.file(csts, syntax.length > 0);
  diagnostics.push(...firstPerSentence(syntax, lexed.tokens), ...builder.diagnostics);
  return { source, ast, comments, diagnostics: dedupe(withoutEchoes(diagnostics, lexed.diagnostics)) };
}

function toDiagnostic(source: SourceFile, error: IRecognitionException): Diagnostic {
  const decoded = decodeSyntaxError(error.message);
  const token = error.token;
  const atEnd = token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
  const start = decoded.start ?? (atEnd ? lastNonSpace(source.text) : token.startOffset);
  const end = decoded.end ?? (atEnd ? start : token.startOffset + token.image.length);
  return {
    severity: "error",
    code: decoded.code,
    file: source.path,
    span: source.span(start, end),
    message: decoded.message,
    ...(decoded.help ? { help: decoded.help } : {}),
  };
}

function lastNonSpace(text: string): number {
  let i = text.length;
  while (i > 0 && /\s/.test(text.charAt(i - 1))) i--;
  return i;
}

/**
 * Characters the lexer could not read are skipped, so the parser sees a sentence with a hole in
 * it and complains about the words after the hole (`tier ＞＝ gold` reads as `tier gold`); an
 * unclosed quote swallows or shifts the words after it. The lexer's diagnostic already names the
 * cause; syntax errors later on the same line are echoes of it and would send the marketer
 * looking for a second mistake that is not there.
 */
function withoutEchoes(diagnostics: Diagnostic[], lexical: readonly Diagnostic[]): Diagnostic[] {
  const holes = lexical.filter((d) => d.code === "E001" || d.code === "E002");
  if (holes.length === 0) return diagnostics;
  return diagnostics.filter(
    (d) =>
      !(d.code.startsWith("E1") && holes.some((h) => h.span.start.line === d.span.start.line && h.span.start.offset < d.span.start.offset)),
  );
}

/** Words that begin a sentence, an option or a block: where a new mistake can begin. */
const SENTENCE_STARTS = new Set([
  T.When,
  T.Campaign,
  T.Segment,
  T.LBrace,
  T.RBrace,
  T.Description,
  T.Schedule,
  T.Active,
  T.Holdout,
  T.Limit,
  T.Priority,
  T.Goal,
]);

/**
 * After a syntax error, recovery guesses at what was meant and carries on; within the same
 * sentence the guesses are often wrong and the errors that follow are echoes of the first
 * (`age between 25 to 35` also complains that `35` is not a comma). Keep the first syntax error
 * of each sentence or option: every sentence with a mistake is still reported in one run. An
 * unclosed block (E104 about a "}") is about the file's structure, not a sentence: always kept.
 */
function firstPerSentence(syntax: readonly Diagnostic[], tokens: readonly IToken[]): Diagnostic[] {
  const starts = tokens.filter((t) => SENTENCE_STARTS.has(t.tokenType)).map((t) => t.startOffset);
  // The sentence a diagnostic belongs to: the last start strictly before it (an error at a
  // start word, such as "campaign" where "}" was expected, belongs to the sentence before).
  const sentenceOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const seen = new Set<number>();
  return [...syntax]
    .sort((a, b) => a.span.start.offset - b.span.start.offset)
    .filter((d) => {
      if (d.code === "E104" && d.message.includes('"}"')) return true;
      const sentence = sentenceOf(d.span.start.offset);
      if (seen.has(sentence)) return false;
      seen.add(sentence);
      return true;
    });
}

/** Deeper than this, chevrotain's recursive descent could exhaust the stack; no real campaign comes close. */
const MAX_NESTING = 64;

/** The first token at which parentheses or a run of `not`s go deeper than MAX_NESTING. */
function nestingTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  let nots = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LParen) depth++;
    else if (t.tokenType === T.RParen) depth = Math.max(0, depth - 1);
    nots = t.tokenType === T.Not ? nots + 1 : 0;
    if (depth > MAX_NESTING || nots > MAX_NESTING) return t;
  }
  return undefined;
}

/** Recovery can report the same place twice; keep the first. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.span.start.offset}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The grammar's productions, for the syntax diagrams. */
export function grammarProductions(): ReturnType<CampaignGrammar["getSerializedGastProductions"]> {
  return theGrammar().getSerializedGastProductions();
}
