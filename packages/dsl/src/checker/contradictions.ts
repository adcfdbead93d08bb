import type { ComparisonNode, ConditionNode, Range, ValueNode } from "../ast/nodes.js";
import { conjuncts, structuralKey, unwrap, walkCondition } from "../ast/walk.js";
import type { CheckEnvironment } from "./environment.js";
import { findField, tierIndex } from "./fields.js";
import type { Reporter } from "./reporter.js";

/*
 * Finds conjunctions no member can satisfy: a condition together with its own negation
 * (`bought brand A … and not bought brand A …`), numeric, date or tier ranges that do not
 * overlap (`points > 1000 and points < 500`, `tier >= platinum and tier < gold`), and a field
 * required to equal two different values. This is a warning, not an error: the file is valid,
 * it just can never select anyone.
 */
export function checkContradictions(root: ConditionNode, env: CheckEnvironment, report: Reporter): void {
  walkCondition(root, (node) => {
    if (node.kind === "And") checkConjunction(conjuncts(node), env, report);
  });
}

interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
  readonly node: ComparisonNode;
}

interface FieldFacts {
  lower?: Bound;
  upper?: Bound;
  equal?: { readonly value: string; readonly node: ComparisonNode };
  readonly notEqual: Map<string, ComparisonNode>;
}

function checkConjunction(parts: ConditionNode[], env: CheckEnvironment, report: Reporter): void {
  const text = (r: Range): string => report.source.text.slice(r.start, r.end).replace(/\s+/g, " ").trim();
  const warn = (at: ComparisonNode | ConditionNode, other: Range): void => {
    report.warning(
      "W502",
      at,
      `"${text(at)}" contradicts "${text(other)}": no member can satisfy both, so this condition never holds`,
      'check the values, or join the two with "or" instead of "and"',
    );
  };

  // A condition and its negation (keys are only built when there is a negation to compare).
  const negations = parts.filter((p) => p.kind === "Not");
  const positives = new Map<string, ConditionNode>();
  if (negations.length > 0) for (const part of parts) if (part.kind !== "Not") positives.set(structuralKey(part), part);
  for (const part of negations) {
    if (part.kind !== "Not") continue;
    const negated = unwrap(part.operand);
    const match = positives.get(structuralKey(negated));
    if (match) {
      warn(part, match);
      return;
    }
  }

  // Ranges and equalities per field.
  const facts = new Map<string, FieldFacts>();
  for (const part of parts) {
    if (part.kind !== "Comparison") continue;
    const field = findField(env, part.field.value);
    if (!field) continue;
    const f = facts.get(field.name) ?? { notEqual: new Map<string, ComparisonNode>() };
    facts.set(field.name, f);
    const conflict = addFact(f, part, field.type, env);
    if (conflict) {
      warn(part, conflict);
      return;
    }
  }
}

/** Adds what a comparison says to the facts; returns the earlier comparison it conflicts with. */
function addFact(f: FieldFacts, node: ComparisonNode, type: string, env: CheckEnvironment): ComparisonNode | undefined {
  const test = node.test;
  const ordered = type === "number" || type === "date" || type === "tier";
  if (test.kind === "between") {
    const low = orderKey(test.low, type, env);
    const high = orderKey(test.high, type, env);
    // An empty between on its own is reported as never holding (W501), not as a contradiction.
    if (low === undefined || high === undefined || low > high) return undefined;
    return tighten(f, { value: low, inclusive: true, node }, { value: high, inclusive: true, node });
  }
  if (test.kind === "in") return undefined;
  const key = valueKey(test.value);
  if (test.op === "!=") {
    if (f.equal && f.equal.value === key) return f.equal.node;
    f.notEqual.set(key, node);
    return undefined;
  }
  if (test.op === "=") {
    if (f.equal && f.equal.value !== key) return f.equal.node;
    const excluded = f.notEqual.get(key);
    if (excluded) return excluded;
    f.equal = { value: key, node };
  }
  if (!ordered) return undefined;
  const v = orderKey(test.value, type, env);
  if (v === undefined) return undefined;
  switch (test.op) {
    case "=":
      return tighten(f, { value: v, inclusive: true, node }, { value: v, inclusive: true, node });
    case ">":
      return tighten(f, { value: v, inclusive: false, node }, undefined);
    case ">=":
      return tighten(f, { value: v, inclusive: true, node }, undefined);
    case "<":
      return tighten(f, undefined, { value: v, inclusive: false, node });
    case "<=":
      return tighten(f, undefined, { value: v, inclusive: true, node });
  }
}

function tighten(f: FieldFacts, lower: Bound | undefined, upper: Bound | undefined): ComparisonNode | undefined {
  if (lower && (!f.lower || lower.value > f.lower.value || (lower.value === f.lower.value && !lower.inclusive))) f.lower = lower;
  if (upper && (!f.upper || upper.value < f.upper.value || (upper.value === f.upper.value && !upper.inclusive))) f.upper = upper;
  if (!f.lower || !f.upper) return undefined;
  const empty = f.lower.value > f.upper.value || (f.lower.value === f.upper.value && !(f.lower.inclusive && f.upper.inclusive));
  if (!empty) return undefined;
  // Report against the bound that came from another comparison than the newest one.
  const newest = (lower ?? upper)?.node;
  return f.lower.node === newest ? f.upper.node : f.lower.node;
}

function orderKey(v: ValueNode, type: string, env: CheckEnvironment): number | undefined {
  if (type === "number" && v.kind === "Number") return v.value;
  if (type === "date" && v.kind === "Date") return Date.parse(`${v.value}T00:00:00Z`);
  if (type === "tier" && v.kind === "Name") {
    const i = tierIndex(env, v.value);
    return i >= 0 ? i : undefined;
  }
  return undefined;
}

function valueKey(v: ValueNode): string {
  switch (v.kind) {
    case "Name":
      return `s:${v.value.toLowerCase()}`;
    case "Number":
      return `n:${v.value}`;
    case "Date":
      return `d:${v.value}`;
    case "Boolean":
      return `b:${v.value}`;
  }
}
