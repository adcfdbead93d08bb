import { DateTime } from "luxon";
import { Engine } from "json-rules-engine";
import type {
  AtomNode,
  CampaignDefinition,
  ComparisonNode,
  ComparisonTest,
  ConditionNode,
  DurationNode,
  ItemFilterNode,
  QuantityNode,
  SourceFile,
  ValueNode,
} from "@patron/dsl";
import { futureWindow, pastWindow, shift } from "../../time/windows.js";
import { startOfDate } from "../../time/local-dates.js";
import { businessZoneOf, type AudienceContext } from "./context.js";
import {
  describeAge,
  describeBirthday,
  describeExists,
  describeExpiring,
  describeField,
  describeJoined,
  describeLastPurchase,
  describeOrders,
  describeReferred,
  describeSpend,
  type Describer,
} from "./describe.js";
import { FACTS, addObservationFacts, isColumn } from "./facts.js";
import { OPERATORS, addOperators } from "./operators.js";
import type { FieldKind, FieldParams, FieldTestSpec, FieldValueSpec, ItemSpec, Operand, QuantitySpec, WindowSpec } from "./specs.js";

/*
 * A campaign's condition, translated once into one json-rules-engine rule. Each atom becomes a
 * condition on an observation fact with a custom operator (facts.ts, operators.ts); `and`, `or`,
 * `not` become `all`, `any`, `not`; parentheses disappear; `in segment S` is inlined as an `all`
 * around S's condition, so a segment is evaluated exactly like the words it stands for. The
 * root is `all: [the member exists at as-of, the condition]`.
 *
 * Every condition of the rule carries a `name` ("n0", "n1", …) keying `nodes`, which holds what
 * `explain` needs and the rule cannot: the source words and a describer for what was seen.
 */

/** What `explain` knows about one condition of the rule. */
export type RuleNodeInfo =
  | { readonly kind: "all" | "any" | "not"; readonly text: string }
  | { readonly kind: "segment"; readonly text: string; readonly segment: string }
  | { readonly kind: "atom"; readonly text: string; readonly atom: AtomNode["kind"] | "Exists"; readonly describe: Describer };

export interface CompiledRule {
  /** The campaign's id, or "condition" for a bare condition. */
  readonly id: string;
  readonly engine: Engine;
  /** The rule as JSON, as given to the engine (for reading and debugging). */
  readonly conditions: { readonly all: readonly RuleCondition[] };
  readonly nodes: ReadonlyMap<string, RuleNodeInfo>;
  readonly asOf: number;
  readonly businessZone: string;
  /** The name of the root's "member exists at as-of" condition. */
  readonly existsName: string;
  /** The name of the campaign condition's root. */
  readonly conditionName: string;
}

/** A condition of the rule, as json-rules-engine reads it (every one named). */
export type RuleCondition =
  | FactCondition
  | { readonly all: readonly RuleCondition[]; readonly name: string }
  | { readonly any: readonly RuleCondition[]; readonly name: string }
  | { readonly not: RuleCondition; readonly name: string };

export interface FactCondition {
  readonly fact: string;
  readonly params: object;
  readonly operator: string;
  readonly value: unknown;
  readonly name: string;
}

type Translation = { readonly condition: Omit<FactCondition, "name">; readonly describe: Describer };

export const EXISTS_NAME = "exists";
const JOINED_AT: FieldParams = { field: "joined_at", where: "column", kind: "instant" };

/** Compiles a checked campaign's audience condition. */
export function compileCampaign(campaign: CampaignDefinition, ctx: AudienceContext): CompiledRule {
  return compileRule(campaign.rule.condition, campaign.source, ctx, campaign.id);
}

/**
 * Compiles a condition (from `source`, for the words of each condition). Throws on what the
 * checker rejects (unknown field, tier or segment, a segment that uses itself): only checked
 * conditions are expected here.
 */
export function compileRule(condition: ConditionNode, source: SourceFile, ctx: AudienceContext, id = "condition"): CompiledRule {
  const compiler = new Compiler(ctx);
  const root = compiler.node(condition, source, []);
  const exists: FactCondition = {
    fact: FACTS.field,
    params: JOINED_AT,
    operator: OPERATORS.existsAt,
    value: ctx.asOf,
    name: EXISTS_NAME,
  };
  compiler.nodes.set(EXISTS_NAME, {
    kind: "atom",
    atom: "Exists",
    text: "the member exists at the as-of time",
    describe: describeExists(ctx.asOf, compiler.zone),
  });
  const conditions = { all: [exists, root] };

  const engine = new Engine([], { allowUndefinedFacts: true });
  addOperators(engine);
  addObservationFacts(engine, ctx.asOf, compiler.zone);
  // The engine's types want mutable arrays and `any` values; the rule is never changed after this.
  engine.addRule({
    name: id,
    conditions: conditions as unknown as Parameters<Engine["addRule"]>[0]["conditions"],
    event: { type: "selected" },
  });
  return {
    id,
    engine,
    conditions,
    nodes: compiler.nodes,
    asOf: ctx.asOf,
    businessZone: compiler.zone,
    existsName: EXISTS_NAME,
    conditionName: root.name,
  };
}

class Compiler {
  readonly nodes = new Map<string, RuleNodeInfo>();
  readonly zone: string;
  private readonly asOf: number;
  private readonly tiersLower: readonly string[];

  constructor(private readonly ctx: AudienceContext) {
    this.zone = businessZoneOf(ctx);
    this.asOf = ctx.asOf;
    this.tiersLower = ctx.env.tiers.map((t) => t.toLowerCase());
  }

  private add(info: RuleNodeInfo): string {
    const name = `n${this.nodes.size}`;
    this.nodes.set(name, info);
    return name;
  }

  /** `segments`: the segments being expanded, to refuse one that uses itself. */
  node(node: ConditionNode, source: SourceFile, segments: readonly string[]): RuleCondition {
    switch (node.kind) {
      case "Group":
        return this.node(node.inner, source, segments);
      case "And":
      case "Or": {
        const kind = node.kind === "And" ? "all" : "any";
        const name = this.add({ kind, text: textOf(source, node) });
        const operands = node.operands.map((o) => this.node(o, source, segments));
        return kind === "all" ? { all: operands, name } : { any: operands, name };
      }
      case "Not": {
        const name = this.add({ kind: "not", text: textOf(source, node) });
        return { not: this.node(node.operand, source, segments), name };
      }
      case "InSegment": {
        const segment = node.segment.value;
        const def = this.ctx.segments.get(segment);
        if (!def) throw new Error(`unknown segment "${segment}"`);
        if (segments.includes(segment)) throw new Error(`segment "${segment}" uses itself (${[...segments, segment].join(" → ")})`);
        const name = this.add({ kind: "segment", segment, text: textOf(source, node) });
        return { all: [this.node(def.node.condition, def.source, [...segments, segment])], name };
      }
      default:
        return this.atom(node, source);
    }
  }

  private atom(node: AtomNode, source: SourceFile): RuleCondition {
    const text = textOf(source, node);
    const { condition, describe } = this.translate(node);
    const name = this.add({ kind: "atom", atom: node.kind, text, describe });
    return { ...condition, name };
  }

  private translate(node: AtomNode): Translation {
    const zone = this.zone;
    switch (node.kind) {
      case "Bought": {
        const item = itemSpec(node.item);
        const window = this.past(node.window);
        const count = node.count && quantitySpec(node.count);
        return {
          condition: {
            fact: FACTS.orders,
            params: { item, window },
            operator: OPERATORS.ordersSatisfy,
            value: count ?? { op: ">=", n: 1 },
          },
          describe: describeOrders(item, window, count, zone),
        };
      }
      case "Spent": {
        const item = itemSpec(node.item);
        const window = this.past(node.window);
        const amount = quantitySpec(node.amount);
        return {
          condition: { fact: FACTS.spend, params: { item, window }, operator: OPERATORS.amountSatisfies, value: amount },
          describe: describeSpend(item, window, amount, zone),
        };
      }
      case "LastPurchase": {
        const item = itemSpec(node.item);
        const n = node.ago.amount.value;
        const spec = {
          op: node.op,
          bound: shift(this.asOf, n, node.ago.unit, -1, zone),
          boundBefore: shift(this.asOf, n + 1, node.ago.unit, -1, zone),
        };
        return {
          condition: { fact: FACTS.lastPurchase, params: { item }, operator: OPERATORS.lastPurchaseAgo, value: spec },
          describe: describeLastPurchase(item, spec, this.asOf, zone),
        };
      }
      case "PointsExpiring": {
        const window: WindowSpec = futureWindow(this.asOf, node.window.amount.value, node.window.unit, zone);
        const amount = quantitySpec(node.amount);
        return {
          condition: { fact: FACTS.expiring, params: { window }, operator: OPERATORS.expiringSatisfies, value: amount },
          describe: describeExpiring(window, amount, zone),
        };
      }
      case "Joined": {
        const window = this.past(node.window);
        return {
          condition: { fact: FACTS.field, params: JOINED_AT, operator: OPERATORS.joinedWithin, value: window },
          describe: describeJoined(window, zone),
        };
      }
      case "Birthday": {
        const spec = { amount: node.window.amount.value, unit: node.window.unit };
        return {
          condition: { fact: FACTS.birthday, params: {}, operator: OPERATORS.birthdayWithin, value: spec },
          describe: describeBirthday(spec),
        };
      }
      case "Referred": {
        const window = this.past(node.window);
        const count = quantitySpec(node.count);
        return {
          condition: { fact: FACTS.referred, params: { window }, operator: OPERATORS.referralsSatisfy, value: count },
          describe: describeReferred(window, count, zone),
        };
      }
      case "Comparison":
        return this.comparison(node);
      case "InSegment":
        throw new Error("segments are expanded by node()");
    }
  }

  private comparison(node: ComparisonNode): Translation {
    const wanted = node.field.value.toLowerCase();
    const field = this.ctx.env.fields.find((f) => f.name.toLowerCase() === wanted);
    if (!field) throw new Error(`unknown member field "${node.field.value}"`);
    if (field.name === "age") {
      const spec: FieldValueSpec = { fieldKind: "number", test: this.test(node.test, "number") };
      return { condition: { fact: FACTS.age, params: {}, operator: OPERATORS.ageSatisfies, value: spec }, describe: describeAge(spec) };
    }
    const kind: FieldKind = field.type === "string" ? "text" : field.type === "date" && field.name === "joined_at" ? "instant" : field.type;
    const params: FieldParams = { field: field.name, where: isColumn(field.name) ? "column" : "attributes", kind };
    const spec: FieldValueSpec = {
      fieldKind: kind,
      test: this.test(node.test, kind),
      ...(kind === "tier" ? { tiers: this.tiersLower } : {}),
    };
    return {
      condition: { fact: FACTS.field, params, operator: OPERATORS.fieldSatisfies, value: spec },
      describe: describeField(field.name, spec, this.ctx.env.tiers, this.zone),
    };
  }

  private test(test: ComparisonTest, kind: FieldKind): FieldTestSpec {
    switch (test.kind) {
      case "compare":
        return { kind: "compare", op: test.op, operand: this.operand(test.value, kind) };
      case "in":
        return { kind: "in", negated: test.negated, operands: test.values.map((v) => this.operand(v, kind)) };
      case "between":
        return { kind: "between", low: this.operand(test.low, kind), high: this.operand(test.high, kind) };
    }
  }

  /** A literal as the field's kind compares it (SEMANTICS.md, "Attribute comparisons"). */
  private operand(value: ValueNode, kind: FieldKind): Operand {
    switch (kind) {
      case "tier": {
        const index = value.kind === "Name" ? this.tiersLower.indexOf(value.value.toLowerCase()) : -1;
        if (index < 0) throw new Error(`unknown tier ${valueWords(value)}`);
        return index;
      }
      case "number":
        if (value.kind !== "Number") throw new Error(`not a number: ${valueWords(value)}`);
        return value.value;
      case "text":
        // A number literal compares as its text, as written (`vip_store = 101`).
        if (value.kind === "Number") return value.raw;
        if (value.kind !== "Name") throw new Error(`not text: ${valueWords(value)}`);
        return value.value;
      case "date":
        if (value.kind !== "Date") throw new Error(`not a date: ${valueWords(value)}`);
        return value.value;
      case "instant": {
        if (value.kind !== "Date") throw new Error(`not a date: ${valueWords(value)}`);
        const next = DateTime.fromISO(value.value, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? "";
        return { start: startOfDate(value.value, this.zone), end: startOfDate(next, this.zone) };
      }
      case "boolean":
        if (value.kind !== "Boolean") throw new Error(`not true or false: ${valueWords(value)}`);
        return value.value;
    }
  }

  /** (as-of − W, as-of], or everything up to as-of without a window. */
  private past(window: DurationNode | undefined): WindowSpec {
    return window ? pastWindow(this.asOf, window.amount.value, window.unit, this.zone) : { after: null, upTo: this.asOf };
  }
}

function itemSpec(item: ItemFilterNode | undefined): ItemSpec {
  if (!item || item.by === "anything") return { by: "anything", names: [] };
  return { by: item.by, names: item.names.map((n) => n.value) };
}

function quantitySpec(q: QuantityNode): QuantitySpec {
  return { op: q.op, n: q.amount.value };
}

/** The words of a node as written, on one line. */
function textOf(source: SourceFile, node: { readonly start: number; readonly end: number }): string {
  return source.text.slice(node.start, node.end).replace(/\s+/g, " ").trim();
}

function valueWords(value: ValueNode): string {
  return value.kind === "Number" ? value.raw : JSON.stringify(value.value);
}
