/*
 * SQL fragments: text plus the parameters its `?` placeholders stand for, kept together so they
 * can never drift apart.
 *
 * The one rule of this folder — no string from a campaign ever becomes SQL text — is enforced
 * here by construction: the only way to make SQL text is the `sql` template tag, whose literal
 * parts are written in this folder's source code, and every value interpolated into it that is
 * not itself a fragment becomes a `?` placeholder and a parameter. `Sql` is a class with a private
 * field, so an object literal `{ text, params }` built from campaign text is not a fragment.
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number;

export class Sql {
  // Makes the type nominal: only this module creates fragments.
  readonly #fragment = true;
  readonly text: string;
  readonly params: readonly SqlValue[];

  private constructor(text: string, params: readonly SqlValue[]) {
    this.text = text;
    this.params = params;
  }

  /** Builds a fragment from template parts; only `sql` and `join` below call it. */
  static make(text: string, params: readonly SqlValue[]): Sql {
    return new Sql(text, params);
  }

  /** A fragment made here, as opposed to a value (or a look-alike object) to bind. */
  static is(value: unknown): value is Sql {
    return typeof value === "object" && value !== null && #fragment in value;
  }
}

/**
 * `sql\`m.city = ${value}\`` → text `m.city = ?`, params [value]. A fragment interpolated on an
 * indented line keeps that indentation on its own following lines, so nested subqueries print
 * readably in golden files and in `EXPLAIN` output.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (Sql | SqlValue)[]): Sql {
  let text = strings[0] ?? "";
  const params: SqlValue[] = [];
  values.forEach((value, i) => {
    if (Sql.is(value)) {
      const lineStart = text.lastIndexOf("\n") + 1;
      const indent = /^ */.exec(text.slice(lineStart))?.[0] ?? "";
      text += value.text.replaceAll("\n", `\n${indent}`);
      params.push(...value.params);
    } else {
      text += "?";
      params.push(value);
    }
    text += strings[i + 1] ?? "";
  });
  return Sql.make(text, params);
}

/** The fragments one after another, with `separator` (fixed SQL text) between them. */
export function join(parts: readonly Sql[], separator: string): Sql {
  return Sql.make(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.params),
  );
}

/** `?, ?, ?` for a non-empty list of values. */
export function list(values: readonly SqlValue[]): Sql {
  if (values.length === 0) throw new Error("internal: empty SQL value list");
  return Sql.make(values.map(() => "?").join(", "), values);
}

export const TRUE = sql`1`;
export const FALSE = sql`0`;

/** `(a AND b AND …)`: a two-valued conjunction stays two-valued. */
export function and(parts: readonly Sql[]): Sql {
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.some((p) => p === FALSE)) return FALSE;
  if (kept.length === 0) return TRUE;
  return group(kept, "AND");
}

/** `(a OR b OR …)`. */
export function or(parts: readonly Sql[]): Sql {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.some((p) => p === TRUE)) return TRUE;
  if (kept.length === 0) return FALSE;
  return group(kept, "OR");
}

/** On one line when short; otherwise one operand per line, so nested subqueries stay readable. */
function group(parts: readonly Sql[], op: "AND" | "OR"): Sql {
  if (parts.length === 1) return parts[0] as Sql;
  const oneLine = join(parts, ` ${op} `);
  if (!oneLine.text.includes("\n") && oneLine.text.length <= 100) return sql`(${oneLine})`;
  const lines = parts.map((p, i) => (i === 0 ? p : op === "AND" ? sql`AND ${p}` : sql`OR ${p}`));
  return sql`(
  ${join(lines, "\n")}
)`;
}

export function not(part: Sql): Sql {
  if (part === TRUE) return FALSE;
  if (part === FALSE) return TRUE;
  // `m.id IN (subquery)` reads better as `m.id NOT IN (subquery)`: the same test, as m.id is never NULL.
  const membership = "m.id IN ";
  if (part.text.startsWith(membership) && enclosed(part.text.slice(membership.length))) {
    return Sql.make(`m.id NOT IN ${part.text.slice(membership.length)}`, part.params);
  }
  return enclosed(part.text) ? sql`NOT ${part}` : sql`NOT (${part})`;
}

/** Whether the whole text is one parenthesised group, so `NOT` may go straight in front. */
function enclosed(text: string): boolean {
  if (!text.startsWith("(")) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i === text.length - 1;
    }
  }
  return false;
}
