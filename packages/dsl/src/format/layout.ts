import type * as A from "../ast/nodes.js";
import { placeComment } from "./attach.js";
import * as P from "./inline.js";
import type { SourceScan } from "./source-scan.js";

/** The longest line, indent included and trailing comment excluded, before a sentence is broken. */
export const MAX_WIDTH = 100;
export const INDENT = 2;

/**
 * One printed line of code. `anchor` is the source offset of the first word printed on it; lines
 * come out in source order with increasing anchors, which is how comments find their line.
 */
export interface Line {
  readonly indent: number;
  readonly text: string;
  readonly anchor: number;
  /**
   * `item`: the first line of a top-level item or of an item in a block; `continuation`: a further
   * line of a broken sentence or goal; `close`: the `}` of a block.
   */
  readonly role: "item" | "continuation" | "close";
  /** Indent of comments that stand on their own line before this one. */
  readonly commentIndent: number;
  /**
   * Whether an empty line goes before this line and its comments: `always` between top-level
   * sections, `source` where the author decides, `never` at the start of the file or a block.
   */
  readonly separation: "always" | "source" | "never";
}

type Separation = Line["separation"];

/** Lays out every item of a file. */
export function layoutFile(file: A.FileNode, scan: SourceScan): Line[] {
  const lines: Line[] = [];
  let previous: A.TopItemNode | undefined;
  for (const item of file.items) {
    // Segments and campaign blocks are sections: exactly one empty line around them. Loose
    // options and a rule at the top of a one-line file are spaced like the items of a block.
    const separation: Separation = !previous ? "never" : isSection(previous) || isSection(item) ? "always" : "source";
    lines.push(...layoutItem(item, 0, separation, scan));
    previous = item;
  }
  return lines;
}

function isSection(item: A.TopItemNode): boolean {
  return item.kind === "Segment" || item.kind === "Campaign";
}

function layoutItem(item: A.TopItemNode, indent: number, separation: Separation, scan: SourceScan): Line[] {
  const first = (text: string): Line => ({ indent, text, anchor: item.start, role: "item", commentIndent: indent, separation });
  switch (item.kind) {
    case "Campaign": {
      const lines: Line[] = [first(P.campaignHead(item))];
      item.items.forEach((inner, i) => lines.push(...layoutItem(inner, indent + INDENT, i === 0 ? "never" : "source", scan)));
      lines.push({
        indent,
        text: "}",
        anchor: item.end - 1,
        role: "close",
        commentIndent: indent + INDENT,
        separation: item.items.length === 0 ? "never" : "source",
      });
      return lines;
    }
    case "Segment":
      return breakable(item, `${P.segmentHead(item)} `, item.condition, undefined, first, indent, scan);
    case "Goal":
      return breakable(item, "goal ", item.condition, undefined, first, indent, scan);
    case "Rule":
      return breakable(item, "when ", item.condition, item.actions, first, indent, scan);
    default:
      return [first(P.option(item))];
  }
}

/**
 * A rule, goal or segment: on one line when it fits and no comment would have to move into the
 * middle of it; otherwise one line per top-level conjunct (or disjunct), continuation lines
 * indented one step more, and a rule's actions on a line of their own:
 *
 *     when member bought brand "Pantene" within 30 days
 *       and tier >= gold,
 *     send coupon "HS-20" via sms or wechat
 *
 * The one-line form is kept only if every comment inside the item would be printed outside the
 * code of the one line anyway: at the end of the broken form's last line (a trailing comment among
 * the actions, say) or above its first line. That makes the choice stable: a comment that forced a
 * break stays inside the item after formatting and forces it again, and a comment moved to the end
 * of (or above) the one line is outside the item the next time round.
 */
function breakable(
  item: A.TopItemNode,
  head: string,
  condition: A.ConditionNode,
  actions: readonly A.ActionNode[] | undefined,
  first: (text: string) => Line,
  indent: number,
  scan: SourceScan,
): Line[] {
  const oneLine = head + P.condition(condition) + (actions ? `, ${P.actions(actions)}` : "");

  const { word, parts } = topLevelParts(condition);
  const broken: Line[] = [];
  parts.forEach((part, i) => {
    const comma = actions && i === parts.length - 1 ? "," : "";
    if (i === 0) {
      broken.push(first(head + P.condition(part) + comma));
    } else {
      const previous = parts[i - 1] as A.ConditionNode;
      const anchor = scan.nextToken(previous.end); // the `and` / `or` between the two parts
      const line: Line = {
        indent: indent + INDENT,
        text: `${word} ${P.condition(part)}${comma}`,
        anchor,
        role: "continuation",
        commentIndent: indent + INDENT,
        separation: "never",
      };
      broken.push(line);
    }
  });
  const [firstAction] = actions ?? [];
  if (actions && firstAction) {
    broken.push({
      indent,
      text: P.actions(actions),
      anchor: firstAction.start,
      role: "continuation",
      commentIndent: indent,
      separation: "never",
    });
  }
  if (broken.length <= 1) return broken;

  const fits = indent + width(oneLine) <= MAX_WIDTH;
  const commentsStayPut = scan.inside(item.start, item.end).every((c) => {
    const place = placeComment(broken, c, scan);
    return place.kind === "leading" ? place.line === 0 : place.kind === "trailing" && place.line === broken.length - 1;
  });
  return fits && commentsStayPut ? [first(oneLine)] : broken;
}

function topLevelParts(condition: A.ConditionNode): { word: "and" | "or"; parts: readonly A.ConditionNode[] } {
  if (condition.kind === "And") return { word: "and", parts: condition.operands };
  if (condition.kind === "Or") return { word: "or", parts: condition.operands };
  return { word: "and", parts: [condition] };
}

/** Width in characters (code points), so a Chinese name counts one per character. */
export function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
