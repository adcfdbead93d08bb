import type { ConditionNode } from "./nodes.js";

/** A key that is equal for two nodes exactly when they mean the same words (offsets and filler ignored). */
export function structuralKey(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (key === "start" || key === "end" || key === "member" ? undefined : value));
}

/** The condition without the parentheses around it. */
export function unwrap(node: ConditionNode): ConditionNode {
  let n = node;
  while (n.kind === "Group") n = n.inner;
  return n;
}

/** Calls `visit` on every node of a condition tree, parents first. */
export function walkCondition(node: ConditionNode, visit: (node: ConditionNode) => void): void {
  visit(node);
  switch (node.kind) {
    case "And":
    case "Or":
      for (const operand of node.operands) walkCondition(operand, visit);
      return;
    case "Not":
      walkCondition(node.operand, visit);
      return;
    case "Group":
      walkCondition(node.inner, visit);
      return;
    default:
      return;
  }
}

/** The operands of a conjunction, with nested `and`s and parentheses flattened. */
export function conjuncts(node: ConditionNode): ConditionNode[] {
  const n = unwrap(node);
  return n.kind === "And" ? n.operands.flatMap(conjuncts) : [n];
}
