import type * as A from "../ast/nodes.js";
import { printChannel, printName, quoted } from "./names.js";

/*
 * Each construct printed on one line, in its canonical spelling: keywords lower-case, single
 * spaces, `(a, b)` lists, `10%`, `YYYY-MM-DD`, `HH:MM`, numbers as written, units and `member`/
 * `time` in the singular exactly when the amount is 1. Where the language has two wordings with
 * the same meaning and the AST remembers which one was written (`>= 500` / `at least 500`,
 * `is` / `=`, `once` / `1 time`, the filler `member`), the author's wording is kept.
 * Breaking long sentences over several lines is layout.ts's business.
 */

export function condition(node: A.ConditionNode): string {
  switch (node.kind) {
    case "And":
      return node.operands.map(condition).join(" and ");
    case "Or":
      return node.operands.map(condition).join(" or ");
    case "Not":
      return `not ${condition(node.operand)}`;
    case "Group":
      return `(${condition(node.inner)})`;
    default:
      return (node.member ? "member " : "") + atom(node);
  }
}

function atom(node: A.AtomNode): string {
  switch (node.kind) {
    case "Comparison":
      return `${printName(node.field)} ${comparisonTest(node.test)}`;
    case "Bought":
      return words(
        "bought",
        node.item && itemFilter(node.item),
        node.count && `${quantity(node.count)} ${plural("time", node.count.amount)}`,
        node.window && window(node.window),
      );
    case "Spent":
      return words("spent", node.item && `on ${itemFilter(node.item)}`, quantity(node.amount), node.window && window(node.window));
    case "LastPurchase":
      return words("last purchase", node.item && `of ${itemFilter(node.item)}`, QUANTIFIERS[node.op] ?? node.op, duration(node.ago), "ago");
    case "PointsExpiring":
      return `points expiring ${window(node.window)} ${quantity(node.amount)}`;
    case "Joined":
      return `joined ${window(node.window)}`;
    case "Birthday":
      return `birthday ${window(node.window)}`;
    case "Referred":
      return words("referred", quantity(node.count), plural("member", node.count.amount), node.window && window(node.window));
    case "InSegment":
      return `in segment ${printName(node.segment)}`;
  }
}

function comparisonTest(test: A.ComparisonTest): string {
  switch (test.kind) {
    case "compare":
      return test.wording === "symbol" ? `${test.op} ${value(test.value)}` : `${test.wording} ${value(test.value)}`;
    case "in":
      return `${test.negated ? "not in" : "in"} ${list(test.values.map(value))}`;
    case "between":
      return `between ${value(test.low)} and ${value(test.high)}`;
  }
}

/** The words of `at least 3`; `!=` has no wording and only ever comes written as a symbol. */
const QUANTIFIERS: Partial<Record<A.CompareOp, string>> = {
  ">=": "at least",
  "<=": "at most",
  ">": "more than",
  "<": "less than",
  "=": "exactly",
};

function quantity(node: A.QuantityNode): string {
  const words = node.symbolic ? undefined : QUANTIFIERS[node.op];
  return `${words ?? node.op} ${node.amount.raw}`;
}

function itemFilter(node: A.ItemFilterNode): string {
  if (node.by === "anything") return "anything";
  if (node.list) return `${node.by} in ${list(node.names.map(printName))}`;
  const [name] = node.names;
  return name ? `${node.by} ${printName(name)}` : node.by;
}

function window(node: A.DurationNode): string {
  return `within ${duration(node)}`;
}

export function duration(node: A.DurationNode): string {
  return `${node.amount.raw} ${plural(node.unit, node.amount)}`;
}

function value(node: A.ValueNode): string {
  switch (node.kind) {
    case "Name":
      return printName(node);
    case "Number":
      return node.raw;
    case "Date":
      return node.value;
    case "Boolean":
      return node.value ? "true" : "false";
  }
}

function list(items: readonly string[]): string {
  return `(${items.join(", ")})`;
}

function plural(word: string, amount: A.NumberNode | number): string {
  const n = typeof amount === "number" ? amount : amount.value;
  return n === 1 ? word : `${word}s`;
}

/** Joins the parts that are present with single spaces. */
function words(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined).join(" ");
}

// ---- actions ----

export function actions(nodes: readonly A.ActionNode[]): string {
  return nodes.map(action).join(" and ");
}

function action(node: A.ActionNode): string {
  switch (node.kind) {
    case "SendMessage": {
      const what = Array.isArray(node.message)
        ? list((node.message as readonly A.VariantNode[]).map((v) => `${printName(v.message)} ${v.percent.raw}%`))
        : printName(node.message as A.NameNode);
      return `send message ${what}${via(node.via)}`;
    }
    case "SendCoupon": {
      const what = node.coupon.kind === "forBrand" ? `for brand ${printName(node.coupon.brand)}` : printName(node.coupon.name);
      return `send coupon ${what}${via(node.via)}`;
    }
    case "AwardPoints":
      return `award ${node.amount.raw} points`;
  }
}

function via(channels: readonly A.ChannelRefNode[]): string {
  return channels.length === 0 ? "" : ` via ${channels.map((c) => printChannel(c.name)).join(" or ")}`;
}

// ---- options and headers ----

/** Every campaign item except rules and goals, which layout.ts may break over several lines. */
export function option(node: Exclude<A.OptionNode, A.GoalNode>): string {
  switch (node.kind) {
    case "Description":
      // The grammar only takes a quoted text here, so it is quoted however it was written.
      return `description ${quoted(node.text.value)}`;
    case "Schedule":
      return `schedule ${schedule(node.spec)}`;
    case "Active":
      return words("active", node.from && `from ${node.from.value}`, node.until && `until ${node.until.value}`);
    case "Holdout":
      return `holdout ${node.percent.raw}%`;
    case "Limit":
      return words("limit", limitTimes(node), "per member", node.every && `every ${duration(node.every)}`);
    case "Priority":
      return `priority ${node.value.raw}`;
  }
}

function schedule(spec: A.ScheduleSpec): string {
  if (spec.kind === "cron") return `cron ${quoted(spec.expression.value)}`;
  // Weekdays can only be plain words (the grammar takes identifiers there), so they print as written.
  const what =
    spec.weekdays.length > 0
      ? spec.weekdays.map((d) => d.value).join(", ")
      : spec.interval
        ? `${spec.interval.raw} ${plural(spec.unit ?? "day", spec.interval)}`
        : (spec.unit ?? "day");
  return words(
    "every",
    what,
    spec.monthDay && `on day ${spec.monthDay.raw}`,
    spec.times.length > 0 ? `at ${spec.times.map(timeOfDay).join(", ")}` : undefined,
  );
}

function timeOfDay(node: A.TimeOfDayNode): string {
  return `${String(node.hour).padStart(2, "0")}:${String(node.minute).padStart(2, "0")}`;
}

function limitTimes(node: A.LimitNode): string {
  if (node.wording === "once") return "once";
  if (node.wording === "twice") return "twice";
  // The AST keeps only the value of `N times`, so N is printed from it.
  return `${plainNumber(node.times)} ${plural("time", node.times)}`;
}

/** A number in the language's digits-and-point form, never in exponent notation (1e+21). */
export function plainNumber(n: number): string {
  const text = String(n);
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const digits = (match[1] ?? "") + (match[2] ?? "");
  const point = (match[1] ?? "").length + Number(match[3]);
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function segmentHead(node: A.SegmentDeclNode): string {
  return `segment ${printName(node.name)} =`;
}

export function campaignHead(node: A.CampaignBlockNode): string {
  return `campaign ${printName(node.name)} {`;
}
