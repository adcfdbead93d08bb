import Handlebars from "handlebars";

/*
 * The text an SMS template writes itself, as opposed to the text its variables produce. The
 * compliance check looks for the sign name and the opt-out text only in the template's own
 * characters: what a variable shows depends on the member (a name, a coupon value) and may be
 * empty, so it never counts. Text inside {{#if}}/{{#unless}} is kept apart: it is sent to some
 * members only.
 */

/** One run of literal characters, as [start, end) offsets into the template text. */
export interface TextRun {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** For text inside a block: the block's opening tag, e.g. `{{#if coupon}}`. */
  readonly block?: string;
}

export interface StaticText {
  /** Literal text every member gets, in template order. */
  readonly always: readonly TextRun[];
  /** Literal text inside {{#if}}/{{#unless}} blocks (either branch, at any depth). */
  readonly conditional: readonly TextRun[];
  /** The literal text at the very start, when nothing (but comments) comes before it. */
  readonly head?: TextRun;
  /** The literal text at the very end, when nothing (but comments) comes after it. */
  readonly tail?: TextRun;
}

/** Undefined when the template does not parse (that is reported as E601 by the template check). */
export function staticText(template: string): StaticText | undefined {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(template);
  } catch {
    return undefined;
  }
  const starts = lineStarts(template);
  const offset = (p: hbs.AST.Position): number => Math.min((starts[p.line - 1] ?? template.length) + p.column, template.length);
  const run = (node: hbs.AST.Node, block?: string): TextRun => {
    const start = offset(node.loc.start);
    const end = offset(node.loc.end);
    return { start, end, text: template.slice(start, end), ...(block !== undefined && { block }) };
  };

  const always: TextRun[] = [];
  const conditional: TextRun[] = [];
  const walk = (body: readonly hbs.AST.Statement[], block: string | undefined): void => {
    for (const statement of body) {
      if (statement.type === "ContentStatement") (block === undefined ? always : conditional).push(run(statement, block));
      if (statement.type === "BlockStatement") {
        const node = statement as hbs.AST.BlockStatement;
        // The opening tag as written, for messages: `{{#if coupon}}`.
        const open = run(node).text;
        const tag = block ?? open.slice(0, open.indexOf("}}") + 2);
        walk(node.program?.body ?? [], tag);
        walk(node.inverse?.body ?? [], tag);
      }
    }
  };
  walk(program.body, undefined);

  const shown = program.body.filter((s) => s.type !== "CommentStatement");
  const first = shown[0];
  const last = shown[shown.length - 1];
  return {
    always,
    conditional,
    ...(first?.type === "ContentStatement" && { head: run(first) }),
    ...(last?.type === "ContentStatement" && { tail: run(last) }),
  };
}

/** Offsets where each line starts; Handlebars positions are 1-based lines, 0-based UTF-16 columns. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n?|\n/g)) starts.push(m.index + m[0].length);
  return starts;
}
