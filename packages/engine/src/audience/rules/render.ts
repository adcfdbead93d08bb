import { DateTime } from "luxon";
import type { ExplainNode } from "./evaluate.js";
import type { Explanation } from "./explain.js";
import { instantText } from "./words.js";

/**
 * The text of `patron explain`: a header, the verdict, then the condition as an indented tree,
 * ✓ or ✗ before each part and, under each condition, what it saw.
 *
 *   campaign "shampoo-cross-sell", member M1001, as of 2026-12-05 09:30 (Asia/Shanghai)
 *   selected
 *
 *   ✓ all of:
 *     ✓ member bought brand Pantene within 30 days
 *         2 orders of brand Pantene in the window (…), latest 2026-11-20 14:02
 */
export function renderExplanation(explanation: Explanation): string {
  const asOf = DateTime.fromISO(explanation.asOf, { setZone: true });
  const asOfText = asOf.isValid ? instantText(asOf.toMillis(), explanation.businessZone) : explanation.asOf;
  const lines = [
    `campaign ${JSON.stringify(explanation.campaign)}, member ${explanation.member}, as of ${asOfText} (${explanation.businessZone})`,
  ];
  if (explanation.memberZone !== explanation.businessZone) lines.push(`the member's time zone: ${explanation.memberZone}`);
  lines.push(explanation.selected ? "selected" : "not selected", "");
  if (!explanation.exists.result) {
    lines.push(`✗ the member exists at the as-of time`, `    ${explanation.exists.saw}`);
  }
  renderNode(explanation.condition, 0, lines);
  return lines.join("\n") + "\n";
}

function renderNode(node: ExplainNode, depth: number, lines: string[]): void {
  const indent = "  ".repeat(depth);
  const mark = node.result ? "✓" : "✗";
  switch (node.kind) {
    case "all":
    case "any":
      lines.push(`${indent}${mark} ${node.kind} of:`);
      for (const child of node.children) renderNode(child, depth + 1, lines);
      return;
    case "not":
    case "segment":
      lines.push(`${indent}${mark} ${node.text}`);
      renderNode(node.operand, depth + 1, lines);
      return;
    case "condition":
      lines.push(`${indent}${mark} ${node.text}`, `${indent}    ${node.saw}`);
      return;
  }
}
