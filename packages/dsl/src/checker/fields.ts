import type { ComparisonNode, ValueNode } from "../ast/nodes.js";
import { listNames, suggest } from "../diagnostics/suggest.js";
import type { CheckEnvironment, FieldInfo } from "./environment.js";
import type { Reporter } from "./reporter.js";

/*
 * Attribute comparisons (`tier >= gold`, `city in (…)`, `age between 25 and 35`) checked against
 * the member schema. Field and tier names match case-insensitively, like keywords.
 */

export function findField(env: CheckEnvironment, name: string): FieldInfo | undefined {
  const lower = name.toLowerCase();
  return env.fields.find((f) => f.name.toLowerCase() === lower);
}

export function tierIndex(env: CheckEnvironment, name: string): number {
  const lower = name.toLowerCase();
  return env.tiers.findIndex((t) => t.toLowerCase() === lower);
}

export function checkComparison(node: ComparisonNode, env: CheckEnvironment, report: Reporter): void {
  const field = findField(env, node.field.value);
  if (!field) {
    const names = env.fields.map((f) => f.name);
    const guess = suggest(node.field.value, names);
    report.error(
      "E201",
      node.field,
      `unknown member field "${node.field.value}"`,
      `${guess ? `did you mean "${guess}"? ` : ""}Member fields: ${listNames(names, 40)}`,
    );
    return;
  }
  const test = node.test;
  const values: ValueNode[] = test.kind === "compare" ? [test.value] : test.kind === "in" ? [...test.values] : [test.low, test.high];
  const ordered = test.kind === "between" || (test.kind === "compare" && ["<", "<=", ">", ">="].includes(test.op));

  if (ordered && (field.type === "string" || field.type === "boolean")) {
    const how = test.kind === "between" ? "between" : test.kind === "compare" ? `"${test.op}"` : "";
    report.error(
      "E301",
      node,
      `${field.name} is ${field.type === "string" ? "text" : "yes or no"} and cannot be compared with ${how}`,
      field.type === "string"
        ? `use =, !=, is, is not or in (…), for example ${field.name} in ("a", "b")`
        : `write ${field.name} is true, or ${field.name} is false`,
    );
    return;
  }
  for (const value of values) checkValue(field, value, env, report);
}

function checkValue(field: FieldInfo, value: ValueNode, env: CheckEnvironment, report: Reporter): void {
  switch (field.type) {
    case "tier": {
      if (value.kind !== "Name") {
        report.error(
          "E301",
          value,
          `tier is compared with tier names, not ${describeValue(value)}`,
          `Known tiers: ${env.tiers.join(", ")}`,
        );
        return;
      }
      if (tierIndex(env, value.value) < 0) {
        const guess = suggest(value.value, env.tiers);
        report.error(
          "E202",
          value,
          `unknown tier "${value.value}"`,
          `${guess ? `did you mean "${guess}"? ` : ""}Known tiers: ${env.tiers.join(", ")}`,
        );
      }
      return;
    }
    case "number":
      if (value.kind !== "Number") {
        report.error(
          "E301",
          value,
          `${field.name} is a number, but ${describeValue(value)} is not`,
          `compare it with a number, for example ${field.name} > 100`,
        );
      }
      return;
    case "date":
      if (value.kind !== "Date") {
        report.error(
          "E301",
          value,
          `${field.name} is a date, but ${describeValue(value)} is not`,
          `write dates as YYYY-MM-DD, for example ${field.name} > 2026-01-01`,
        );
      }
      return;
    case "boolean":
      if (value.kind !== "Boolean") {
        report.error(
          "E301",
          value,
          `${field.name} is yes or no, but ${describeValue(value)} is not`,
          `write ${field.name} is true, or ${field.name} is false`,
        );
      }
      return;
    case "string":
      if (value.kind === "Boolean" || value.kind === "Date") {
        report.error("E301", value, `${field.name} is text, but ${describeValue(value)} is not`, `put the value in double quotes`);
        return;
      }
      if (field.values && value.kind === "Name" && !field.values.some((v) => v.toLowerCase() === value.value.toLowerCase())) {
        const guess = suggest(value.value, field.values);
        report.error(
          "E213",
          value,
          `${field.name} is never "${value.value}"`,
          `${guess ? `did you mean "${guess}"? ` : ""}Values of ${field.name}: ${field.values.join(", ")}`,
        );
      }
      return;
  }
}

export function describeValue(value: ValueNode): string {
  switch (value.kind) {
    case "Name":
      return `"${value.value}"`;
    case "Number":
      return `the number ${value.raw}`;
    case "Date":
      return `the date ${value.value}`;
    case "Boolean":
      return String(value.value);
  }
}
