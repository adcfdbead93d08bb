import type Handlebars from "handlebars";
import type { TemplateLoc, TemplateProblem } from "./analyze.js";

/*
 * Parsing a template, with Handlebars' syntax errors turned into a position and a sentence a
 * marketer can act on. Handlebars reports "Parse error on line 2: … Expecting 'CLOSE', got
 * 'INVALID'" with no column; the column is read from its lexer, which still holds the token it
 * stopped at (parsing is synchronous, so nothing else has used the shared parser since).
 */

type HandlebarsEnv = typeof Handlebars;

interface LexerState {
  readonly yylloc?: {
    readonly first_line: number;
    readonly first_column: number;
    readonly last_line: number;
    readonly last_column: number;
  };
  readonly match?: string;
}

export function parseTemplate(env: HandlebarsEnv, text: string): { program: hbs.AST.Program } | { problem: TemplateProblem } {
  try {
    return { program: env.parse(text) };
  } catch (error) {
    return { problem: syntaxProblem(env, text, error) };
  }
}

function syntaxProblem(env: HandlebarsEnv, text: string, error: unknown): TemplateProblem {
  const message = error instanceof Error ? error.message : String(error);
  // Errors Handlebars raises itself after parsing ("if doesn't match unless - 1:3") carry a position.
  const located = error as { lineNumber?: unknown; column?: unknown; endLineNumber?: unknown; endColumn?: unknown };
  if (typeof located.lineNumber === "number" && typeof located.column === "number") {
    const start = { line: located.lineNumber, column: located.column };
    const end =
      typeof located.endLineNumber === "number" && typeof located.endColumn === "number"
        ? { line: located.endLineNumber, column: located.endColumn }
        : start;
    return {
      code: "E601",
      message: message.replace(/ - \d+:\d+$/, ""),
      help: "every {{#if …}} ends with {{/if}}, every {{#unless …}} with {{/unless}}",
      loc: { start, end },
    };
  }
  const lexer = (env as unknown as { Parser?: { lexer?: LexerState } }).Parser?.lexer;
  const at = lexer?.yylloc;
  const loc: TemplateLoc = at
    ? { start: { line: at.first_line, column: at.first_column }, end: { line: at.last_line, column: at.last_column } }
    : { start: { line: firstLine(message), column: 0 }, end: { line: firstLine(message), column: 0 } };
  const got = /got '([^']+)'/.exec(message)?.[1];
  const expected = /Expecting (.*), got/.exec(message)?.[1] ?? "";
  // At the end of the text Handlebars knows only that something is open: point at what is.
  const open = got === "EOF" && expected.includes("'OPEN_ENDBLOCK'") ? unclosedBlock(text) : undefined;
  if (open) return { code: "E601", message: `${open.text} is not closed`, help: `end it with {{/${open.name}}}`, loc: open.loc };
  const token = lexer?.match ?? "";
  const what = got === "EOF" || token === "" ? "the template ends too early" : `unexpected "${token}"`;
  return { code: "E601", message: `template syntax error: ${what}`, help: syntaxHelp(expected, got), loc };
}

function syntaxHelp(expected: string, got: string | undefined): string {
  if (expected.includes("'OPEN_ENDBLOCK'")) return "a block is not closed: end {{#if …}} with {{/if}} and {{#unless …}} with {{/unless}}";
  if (expected.includes("'CLOSE'") || expected.includes("'CLOSE_UNESCAPED'")) {
    return "close each placeholder with }} (or }}} after {{{), e.g. {{member.name}}";
  }
  if (got === "OPEN_ENDBLOCK") return "this {{/…}} closes a block that was never opened";
  if (expected.includes("'ID'")) return "a placeholder holds a variable name, e.g. {{member.name}}";
  return "placeholders look like {{member.name}}, blocks like {{#if coupon}}…{{/if}}; write a literal {{ as \\{{";
}

/** The last block opened ({{#if x}}) and never closed, with its position; comments skipped. */
function unclosedBlock(text: string): { text: string; name: string; loc: TemplateLoc } | undefined {
  const blanked = text.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (c) => c.replace(/[^\r\n]/g, " "));
  const stack: { name: string; start: number; end: number }[] = [];
  for (const m of blanked.matchAll(/\{\{~?\s*(?:[#^]\s*([^\s}~]+)[^}]*\}\}|\/\s*([^\s}~]+))/g)) {
    if (m[1] !== undefined) stack.push({ name: m[1], start: m.index, end: m.index + m[0].length });
    else stack.pop();
  }
  const last = stack[stack.length - 1];
  if (!last) return undefined;
  return {
    text: text.slice(last.start, last.end),
    name: last.name,
    loc: { start: position(text, last.start), end: position(text, last.end) },
  };
}

/** A Handlebars position (1-based line, 0-based UTF-16 column) of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n?|\n/);
  return { line: lines.length, column: (lines[lines.length - 1] ?? "").length };
}

function firstLine(message: string): number {
  return Number(/line (\d+)/.exec(message)?.[1] ?? 1);
}
