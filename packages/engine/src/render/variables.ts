import type { PatronConfig } from "@patron/config";
import { CANONICAL_FIELDS, type FieldInfo } from "@patron/dsl";

/*
 * The variables a template may use (docs/templates.md). The checker resolves every {{path}} of
 * every template against this tree, so a misspelt name is caught by `patron check`, not by a
 * member who receives "亲爱的：".
 */

/** What a variable holds: decides which helpers take it (`money` a number, `date` a date). */
export type VariableKind = "text" | "number" | "date" | "boolean";

/**
 * Set only in some messages: `coupon` when the message carries a coupon, `award` when the
 * campaign also awards points, `email` in email templates (and only with an unsubscribe address).
 */
export type Availability = "coupon" | "award" | "email";

export type VariableNode =
  | { readonly kind: VariableKind; readonly availability?: Availability; readonly description: string }
  | {
      readonly kind: "group";
      readonly availability?: Availability;
      readonly description: string;
      readonly children: ReadonlyMap<string, VariableNode>;
    };

export type VariableTree = ReadonlyMap<string, VariableNode>;

export function variableTree(config: Pick<PatronConfig, "members">): VariableTree {
  const member = new Map<string, VariableNode>();
  for (const field of memberFields(config)) {
    member.set(field.name, { kind: fieldKind(field), description: field.description ?? `the member's ${field.name}` });
  }
  const coupon = new Map<string, VariableNode>([
    ["code", { kind: "text", description: "the member's own code" }],
    ["value", { kind: "text", description: "what the coupon is worth, as patron.yaml's coupons.NAME.value" }],
    ["name", { kind: "text", description: "the coupon's name in patron.yaml" }],
    ["expiresOn", { kind: "date", description: "the last day the code is valid" }],
  ]);
  return new Map<string, VariableNode>([
    ["member", { kind: "group", description: "the member's data", children: member }],
    ["points", { kind: "number", description: "the points balance" }],
    ["expiringPoints", { kind: "number", description: "points expiring within the next 30 days" }],
    ["expiresOn", { kind: "date", description: "the earliest expiry date of those points" }],
    ["awardedPoints", { kind: "number", availability: "award", description: "the points the campaign awards" }],
    ["coupon", { kind: "group", availability: "coupon", description: "the coupon sent with the message", children: coupon }],
    ["unsubscribeUrl", { kind: "text", availability: "email", description: "the member's one-click unsubscribe address" }],
    ["campaign", { kind: "group", description: "the campaign sending the message", children: new Map([["name", textNode("its id")]]) }],
    ["business", { kind: "text", description: "patron.yaml's business" }],
  ]);
}

/** The canonical member fields followed by the custom fields of patron.yaml. */
export function memberFields(config: Pick<PatronConfig, "members">): readonly FieldInfo[] {
  return [...CANONICAL_FIELDS, ...config.members.fields];
}

export function fieldKind(field: FieldInfo): VariableKind {
  switch (field.type) {
    case "number":
      return "number";
    case "date":
      return "date";
    case "boolean":
      return "boolean";
    case "string":
    case "tier":
      return "text";
  }
}

function textNode(description: string): VariableNode {
  return { kind: "text", description };
}

export type Resolution =
  | { readonly ok: true; readonly node: VariableNode }
  /** parts[0..index) resolved; parts[index] is unknown among `known` (under `parent`, "" at the top). */
  | { readonly ok: false; readonly index: number; readonly parent: string; readonly known: readonly string[] };

export function resolveVariable(tree: VariableTree, parts: readonly string[]): Resolution {
  let level: VariableTree = tree;
  let node: VariableNode | undefined;
  for (const [index, part] of parts.entries()) {
    const parent = parts.slice(0, index).join(".");
    // Own entries only: "constructor" or "__proto__" are never variables.
    const next = level.get(part);
    if (next === undefined) return { ok: false, index, parent, known: [...level.keys()] };
    node = next;
    if (index < parts.length - 1) {
      if (next.kind !== "group") return { ok: false, index: index + 1, parent: parts.slice(0, index + 1).join("."), known: [] };
      level = next.children;
    }
  }
  return node === undefined ? { ok: false, index: 0, parent: "", known: [...tree.keys()] } : { ok: true, node };
}
