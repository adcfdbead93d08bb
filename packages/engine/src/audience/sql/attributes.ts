import type { CompareOp, ComparisonNode, ComparisonTest, FieldInfo, ValueNode } from "@patron/dsl";
import { latestBirthdayForAge, startOfDate } from "../../time/local-dates.js";
import { AudienceCompileError, type AudienceContext } from "./context.js";
import { and, FALSE, list, not, or, sql, type Sql, type SqlValue } from "./fragment.js";
import { nextDate, perLocalDate, type LocalDates } from "./local-date.js";
import { holds, sqlOp } from "./quantity.js";
import { foldedSpellings } from "./case-fold.js";

/*
 * Attribute comparisons: `tier >= gold`, `city in (…)`, `points > 10`, `age between 25 and 35`,
 * `vip_store = "SH01"`, `app_user is true`.
 *
 * Every comparison compiles to `(<the test> AND <the member has a value>)`. The test is NULL only
 * for a missing value (parameters are never NULL), and then the second part is false, so the
 * whole is two-valued (NULL AND false is false): `not (points > 10)` is true for a member with
 * no points, `city != "上海"` false for a member with no city (SEMANTICS.md, "missing values").
 * The test comes first because it usually keeps few members and SQLite stops at the first false
 * operand: for a custom field, the second json_type() call is then made only for the members
 * whose value passed (`hair_concern = dandruff and app_user is true` over 1M members, 1.02 s →
 * 0.76 s).
 */

type Kind = "text" | "number" | "date" | "boolean" | "tier" | "instant";

interface Column {
  readonly kind: Kind;
  /** The value, e.g. `m.city`. */
  readonly value: Sql;
  /** True exactly when the member has a value of the field's type. */
  readonly present: Sql;
}

function column(kind: Kind, value: Sql): Column {
  return { kind, value, present: sql`${value} IS NOT NULL` };
}

/**
 * The canonical fields and the `members` columns that hold them: the whitelist of identifiers.
 * (`age` is derived from `birthday`, see ageTest.)
 */
const CANONICAL: ReadonlyMap<string, Column> = new Map([
  ["id", column("text", sql`m.id`)],
  ["name", column("text", sql`m.name`)],
  ["phone", column("text", sql`m.phone`)],
  ["email", column("text", sql`m.email`)],
  ["wechat_openid", column("text", sql`m.wechat_openid`)],
  ["tier", column("tier", sql`m.tier`)],
  ["points", column("number", sql`m.points`)],
  ["city", column("text", sql`m.city`)],
  ["gender", column("text", sql`m.gender`)],
  ["birthday", column("date", sql`m.birthday`)],
  ["joined_at", column("instant", sql`m.joined_at`)],
  ["timezone", column("text", sql`m.timezone`)],
  ["consent_sms", column("boolean", sql`m.consent_sms`)],
  ["consent_email", column("boolean", sql`m.consent_email`)],
  ["consent_wechat", column("boolean", sql`m.consent_wechat`)],
  ["referred_by", column("text", sql`m.referred_by`)],
]);

/**
 * The JSON types a custom field's value may have; any other (a string where a number was
 * declared, JSON null) counts as missing, like an absent key. json_type() is NULL for an absent
 * key, so it is read as 'null' (JSON null's type name) to keep the test two-valued.
 */
const JSON_TYPES: Readonly<Record<Exclude<Kind, "tier" | "instant">, Sql>> = {
  text: sql`= 'text'`,
  number: sql`IN ('integer', 'real')`,
  date: sql`= 'text'`,
  boolean: sql`IN ('true', 'false')`,
};

/**
 * A custom field, read from the `attributes` JSON. The JSON path is a parameter
 * (`json_extract(m.attributes, ?)` with `$.vip_store`), not SQL text: that keeps this folder's
 * rule absolute — SQL text is only ever this code's own literals — at no cost today, as no
 * expression index on attributes exists. (Should one be added, SQLite only matches it against
 * a literal path; the name is safe to inline then, as patron.yaml's schema restricts field names
 * to [A-Za-z_][A-Za-z0-9_]*, but that would be a second kind of SQL text to audit.)
 */
function customColumn(field: FieldInfo): Column {
  if (field.type === "tier") throw new AudienceCompileError(`custom field ${field.name} cannot be a tier`);
  const kind = field.type === "string" ? "text" : field.type;
  const path = jsonPath(field.name);
  return {
    kind,
    value: sql`json_extract(m.attributes, ${path})`,
    present: sql`ifnull(json_type(m.attributes, ${path}), 'null') ${JSON_TYPES[kind]}`,
  };
}

function jsonPath(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `$.${name}`;
  if (name.includes('"')) throw new AudienceCompileError(`custom field name ${name} cannot be read from the attributes JSON`);
  return `$."${name}"`;
}

export function compileComparison(node: ComparisonNode, ctx: AudienceContext, localDates: () => LocalDates): Sql {
  const lower = node.field.value.toLowerCase();
  const field = ctx.env.fields.find((f) => f.name.toLowerCase() === lower);
  if (!field) throw new AudienceCompileError(`unknown member field "${node.field.value}"`);
  const name = field.name.toLowerCase();
  if (name === "age") return and([sql`m.birthday IS NOT NULL`, perLocalDate(localDates(), (today) => ageTest(node.test, today))]);
  const col = CANONICAL.get(name) ?? customColumn(field);
  switch (col.kind) {
    case "tier":
      return tierTest(col, node.test, ctx.env.tiers);
    case "instant":
      return and([instantTest(col, node.test, ctx.businessZone), col.present]);
    default:
      return and([scalarTest(col, node.test), col.present]);
  }
}

// ---- text, number, date, boolean: the value compared as it is stored ----

function scalarTest(col: Column, test: ComparisonTest): Sql {
  switch (test.kind) {
    case "compare":
      return sql`${col.value} ${sqlOp(test.op)} ${scalar(col.kind, test.value)}`;
    case "in": {
      const values = list(test.values.map((v) => scalar(col.kind, v)));
      return test.negated ? sql`${col.value} NOT IN (${values})` : sql`${col.value} IN (${values})`;
    }
    case "between":
      return sql`${col.value} BETWEEN ${scalar(col.kind, test.low)} AND ${scalar(col.kind, test.high)}`;
  }
}

/** The parameter a literal becomes for a field of this kind (what the checker allows). */
function scalar(kind: Kind, value: ValueNode): SqlValue {
  switch (kind) {
    case "text":
      // A number literal compares as its text, as written: vip_store = 101.
      if (value.kind === "Name") return value.value;
      if (value.kind === "Number") return value.raw;
      break;
    case "number":
      if (value.kind === "Number") return value.value;
      break;
    case "date":
      if (value.kind === "Date") return value.value;
      break;
    case "boolean":
      // Stored as 1/0 in the consent columns; json_extract reads JSON true/false as 1/0.
      if (value.kind === "Boolean") return value.value ? 1 : 0;
      break;
    default:
      break;
  }
  throw new AudienceCompileError(`cannot compare a ${kind} field with ${value.kind}`);
}

// ---- tier: by position in the configured list ----

/**
 * The test becomes the set of configured tiers that satisfy it, matched case-insensitively:
 * `tier >= gold` → `lower(m.tier) IN ('gold', 'platinum', 'diamond')` (as parameters). A member
 * tier outside the list is in no such set, so it is missing for every operator, `!=` included.
 * SQLite's lower() folds ASCII letters only, so each tier is listed in every spelling lower()
 * can leave of it (case-fold.ts): "Élite" matches "ÉLITE" and "élite" as toLowerCase() has it.
 */
function tierTest(col: Column, test: ComparisonTest, tiers: readonly string[]): Sql {
  const position = (v: ValueNode): number => {
    const i = v.kind === "Name" ? tiers.findIndex((t) => t.toLowerCase() === v.value.toLowerCase()) : -1;
    if (i < 0) throw new AudienceCompileError(`unknown tier ${v.kind === "Name" ? v.value : v.kind}`);
    return i;
  };
  let keep: (i: number) => boolean;
  switch (test.kind) {
    case "compare": {
      const p = position(test.value);
      keep = (i) => holds(test.op, i, p);
      break;
    }
    case "in": {
      const ps = test.values.map(position);
      keep = (i) => ps.includes(i) !== test.negated;
      break;
    }
    case "between": {
      const low = position(test.low);
      const high = position(test.high);
      keep = (i) => i >= low && i <= high;
      break;
    }
  }
  const names = [...new Set(tiers.filter((_, i) => keep(i)).flatMap(foldedSpellings))];
  if (names.length === 0) return FALSE;
  return and([sql`lower(${col.value}) IN (${list(names)})`, col.present]);
}

// ---- joined_at: an instant compared with calendar dates of the business zone ----

function instantTest(col: Column, test: ComparisonTest, zone: string): Sql {
  const date = (v: ValueNode): string => {
    if (v.kind !== "Date") throw new AudienceCompileError(`cannot compare an instant with ${v.kind}`);
    return v.value;
  };
  const start = (d: string): number => startOfDate(d, zone);
  const compare = (op: CompareOp, d: string): Sql => {
    switch (op) {
      case ">=":
        return sql`${col.value} >= ${start(d)}`;
      case ">":
        return sql`${col.value} >= ${start(nextDate(d))}`;
      case "<":
        return sql`${col.value} < ${start(d)}`;
      case "<=":
        return sql`${col.value} < ${start(nextDate(d))}`;
      case "=":
        return and([compare(">=", d), compare("<=", d)]);
      case "!=":
        return not(compare("=", d));
    }
  };
  switch (test.kind) {
    case "compare":
      return compare(test.op, date(test.value));
    case "in": {
      const any = or(test.values.map((v) => compare("=", date(v))));
      return test.negated ? not(any) : any;
    }
    case "between":
      return and([compare(">=", date(test.low)), compare("<=", date(test.high))]);
  }
}

// ---- age: whole years on the member's local date ----

/**
 * `age op A` on `today` as a comparison of the birthday with a date computed in JS:
 * age ≥ A ⟺ birthday ≤ latestBirthdayForAge(today, A). Ages are whole numbers, so
 * age > 25.5 is age ≥ 26 and age = 25.5 never holds.
 */
function ageTest(test: ComparisonTest, today: string): Sql {
  const number = (v: ValueNode): number => {
    if (v.kind !== "Number") throw new AudienceCompileError(`cannot compare age with ${v.kind}`);
    return v.value;
  };
  const atLeast = (a: number): Sql => sql`m.birthday <= ${latestBirthdayForAge(today, a)}`;
  const below = (a: number): Sql => sql`m.birthday > ${latestBirthdayForAge(today, a)}`;
  const compare = (op: CompareOp, x: number): Sql => {
    switch (op) {
      case ">=":
        return atLeast(Math.ceil(x));
      case ">":
        return atLeast(Math.floor(x) + 1);
      case "<":
        return below(Math.ceil(x));
      case "<=":
        return below(Math.floor(x) + 1);
      case "=":
        return Number.isInteger(x) ? and([atLeast(x), below(x + 1)]) : FALSE;
      case "!=":
        return not(compare("=", x));
    }
  };
  switch (test.kind) {
    case "compare":
      return compare(test.op, number(test.value));
    case "in": {
      const any = or(test.values.map((v) => compare("=", number(v))));
      return test.negated ? not(any) : any;
    }
    case "between":
      return and([compare(">=", number(test.low)), compare("<=", number(test.high))]);
  }
}
