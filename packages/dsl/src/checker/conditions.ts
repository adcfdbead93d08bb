import type { ComparisonNode, ConditionNode, DurationNode, NumberNode, QuantityNode, ValueNode } from "../ast/nodes.js";
import { listNames, suggest } from "../diagnostics/suggest.js";
import type { CheckEnvironment } from "./environment.js";
import { checkComparison, findField, tierIndex } from "./fields.js";
import { checkContradictions } from "./contradictions.js";
import type { SegmentDefinition } from "./program.js";
import type { Reporter } from "./reporter.js";

export interface ConditionContext {
  readonly env: CheckEnvironment;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  readonly report: Reporter;
}

/** Checks names, values, windows and amounts in a condition, then looks for contradictions. */
export function checkCondition(node: ConditionNode, ctx: ConditionContext): void {
  checkNode(node, ctx);
  checkContradictions(node, ctx.env, ctx.report);
}

function checkNode(node: ConditionNode, ctx: ConditionContext): void {
  const { report } = ctx;
  switch (node.kind) {
    case "And":
    case "Or":
      for (const operand of node.operands) checkNode(operand, ctx);
      return;
    case "Not":
      checkNode(node.operand, ctx);
      return;
    case "Group":
      checkNode(node.inner, ctx);
      return;
    case "Comparison":
      checkComparison(node, ctx.env, report);
      checkNeverHolds(node, ctx.env, report);
      return;
    case "Bought":
      if (node.count) checkCount(node.count, "times", report);
      if (node.window) checkWindow(node.window, report);
      return;
    case "Spent":
      checkAmount(node.amount, report);
      if (node.window) checkWindow(node.window, report);
      return;
    case "LastPurchase":
      checkWhole(node.ago.amount, "a number of " + node.ago.unit + "s", report);
      return;
    case "PointsExpiring":
      checkWindow(node.window, report);
      checkAmount(node.amount, report);
      return;
    case "Joined":
    case "Birthday":
      checkWindow(node.window, report);
      return;
    case "Referred":
      checkCount(node.count, "members", report);
      if (node.window) checkWindow(node.window, report);
      return;
    case "InSegment": {
      if (!ctx.segments.has(node.segment.value)) {
        const names = [...ctx.segments.keys()].sort();
        const guess = suggest(node.segment.value, names);
        report.error(
          "E204",
          node.segment,
          `unknown segment "${node.segment.value}"`,
          guess
            ? `did you mean "${guess}"? Segments: ${listNames(names)}`
            : names.length > 0
              ? `Segments: ${listNames(names)}`
              : "no segments are defined; define one in the segments file named in patron.yaml: segment NAME = CONDITION",
        );
      }
      return;
    }
  }
}

function checkWhole(n: NumberNode, what: string, report: Reporter): boolean {
  if (!Number.isInteger(n.value)) {
    report.error("E306", n, `${n.raw} is not a whole number`, `write ${what} as a whole number`);
    return false;
  }
  return true;
}

function checkWindow(window: DurationNode, report: Reporter): void {
  if (!checkWhole(window.amount, `the number of ${window.unit}s`, report)) return;
  if (window.amount.value === 0) {
    report.warning(
      "W503",
      window,
      `a window of 0 ${window.unit}s holds no time, so this condition never holds`,
      `give the window a length, for example within 30 days`,
    );
  }
}

function checkCount(count: QuantityNode, noun: string, report: Reporter): void {
  if (!checkWhole(count.amount, `the number of ${noun}`, report)) return;
  const n = count.amount.value;
  if (count.op === "<" && n === 0) {
    report.warning("W501", count, `fewer than 0 ${noun} is impossible, so this condition never holds`);
  } else if (count.op === ">=" && n === 0) {
    report.warning("W505", count, `at least 0 ${noun} is true of every member, so this condition always holds`, "did you mean at least 1?");
  }
}

function checkAmount(amount: QuantityNode, report: Reporter): void {
  if (amount.op === "<" && amount.amount.value === 0) {
    report.warning("W501", amount, "an amount below 0 is impossible, so this condition never holds");
  }
}

/** Comparisons that no member can satisfy: tier above the top tier, an empty between. */
function checkNeverHolds(node: ComparisonNode, env: CheckEnvironment, report: Reporter): void {
  const field = findField(env, node.field.value);
  if (!field) return;
  const test = node.test;
  if (field.type === "tier" && test.kind === "compare" && test.value.kind === "Name") {
    const index = tierIndex(env, test.value.value);
    if (index < 0) return;
    const top = env.tiers.length - 1;
    if (test.op === ">" && index === top) {
      report.warning(
        "W501",
        node,
        `no tier is above ${env.tiers[top]}, so this condition never holds`,
        `did you mean ${node.field.value} >= ${test.value.value}? Tiers, lowest first: ${env.tiers.join(", ")}`,
      );
    } else if (test.op === "<" && index === 0) {
      report.warning(
        "W501",
        node,
        `no tier is below ${env.tiers[0]}, so this condition never holds`,
        `did you mean ${node.field.value} <= ${test.value.value}? Tiers, lowest first: ${env.tiers.join(", ")}`,
      );
    }
    return;
  }
  if (test.kind === "between") {
    const low = orderValue(test.low, env);
    const high = orderValue(test.high, env);
    if (low !== undefined && high !== undefined && low > high) {
      report.warning(
        "W501",
        node,
        `nothing is between ${valueText(test.low)} and ${valueText(test.high)}: the smaller value must come first, so this condition never holds`,
        `write ${node.field.value} between ${valueText(test.high)} and ${valueText(test.low)}`,
      );
    }
  }
}

function orderValue(v: ValueNode, env: CheckEnvironment): number | string | undefined {
  if (v.kind === "Number") return v.value;
  if (v.kind === "Date") return v.value;
  if (v.kind === "Name") {
    const i = tierIndex(env, v.value);
    return i >= 0 ? i : undefined;
  }
  return undefined;
}

function valueText(v: ValueNode): string {
  return v.kind === "Number" ? v.raw : v.kind === "Name" ? v.value : String(v.value);
}
