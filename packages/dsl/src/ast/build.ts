import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import type { SourceFile } from "../source/source-file.js";
import type * as A from "./nodes.js";

/*
 * Builds the AST from chevrotain's concrete syntax tree. The CST of a file with mistakes is
 * partial (recovery inserted or skipped tokens), so every builder returns `undefined` when a
 * piece it needs is missing; the parser has already reported why. A node is only built from
 * complete pieces, so the checker never sees a half-made condition.
 *
 * Values the grammar lets through but that are not valid (a date 2026-13-01, a number 1.2.3,
 * a time 25:00) are reported here, where the text is still at hand.
 */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  /** Only a parse that recovered from a mistake has invented tokens; otherwise skip looking. */
  private recovering = true;

  constructor(private readonly source: SourceFile) {}

  private repaired(node: CstNode): boolean {
    return this.recovering && repaired(node);
  }

  /** `hadSyntaxErrors: false` lets the builder skip looking for tokens recovery invented. */
  file(nodes: readonly CstNode[], hadSyntaxErrors = true): A.FileNode {
    this.recovering = hadSyntaxErrors;
    const items: A.TopItemNode[] = [];
    for (const file of nodes) {
      const node = sub(file, "topItems");
      if (!node) continue;
      for (const child of children(node, "segmentDecl")) push(items, this.segmentDecl(child));
      for (const child of children(node, "campaignBlock")) push(items, this.campaignBlock(child));
      for (const child of children(node, "campaignItem")) push(items, this.campaignItem(child));
    }
    items.sort((a, b) => a.start - b.start);
    return { kind: "File", start: 0, end: this.source.text.length, items };
  }

  private segmentDecl(node: CstNode): A.SegmentDeclNode | undefined {
    const name = this.name(sub(node, "name"));
    const condition = this.condition(sub(node, "condition"));
    if (!name || !condition) return undefined;
    return { kind: "Segment", ...range(node), name, condition };
  }

  private campaignBlock(node: CstNode): A.CampaignBlockNode | undefined {
    const name = this.name(sub(node, "name"));
    if (!name) return undefined;
    const items: A.CampaignItemNode[] = [];
    for (const child of children(node, "campaignItem")) push(items, this.campaignItem(child));
    return { kind: "Campaign", ...range(node), name, items };
  }

  private campaignItem(node: CstNode): A.CampaignItemNode | undefined {
    const [first] = allChildren(node);
    if (!first || isToken(first)) return undefined;
    if (first.name !== "rule" && this.repaired(first)) return undefined;
    switch (first.name) {
      case "descriptionOption": {
        const text = this.string(token(first, "StringLiteral"));
        return text && { kind: "Description", ...range(first), text };
      }
      case "scheduleOption":
        return this.schedule(first);
      case "activeOption": {
        const from = this.date(token(first, "from"));
        const until = this.date(token(first, "until"));
        if (!from && !until) return undefined;
        return { kind: "Active", ...range(first), ...(from ? { from } : {}), ...(until ? { until } : {}) };
      }
      case "holdoutOption": {
        const percent = this.percentage(sub(first, "percentage"));
        return percent && { kind: "Holdout", ...range(first), percent };
      }
      case "limitOption":
        return this.limit(first);
      case "priorityOption": {
        const value = this.number(token(first, "NumberLiteral"));
        return value && { kind: "Priority", ...range(first), value };
      }
      case "goalOption": {
        const condition = this.condition(sub(first, "condition"));
        return condition && { kind: "Goal", ...range(first), condition };
      }
      case "rule":
        return this.rule(first);
      default:
        return undefined;
    }
  }

  private rule(node: CstNode): A.RuleNode | undefined {
    const condition = this.condition(sub(node, "condition"));
    const actions: A.ActionNode[] = [];
    for (const child of children(node, "action")) push(actions, this.action(child));
    if (!condition || actions.length === 0) return undefined;
    return { kind: "Rule", ...range(node), condition, actions };
  }

  private schedule(node: CstNode): A.ScheduleNode | undefined {
    const cron = sub(node, "cronSchedule");
    if (cron) {
      const expression = this.string(token(cron, "StringLiteral"));
      return expression && { kind: "Schedule", ...range(node), spec: { kind: "cron", expression } };
    }
    const every = sub(node, "everySchedule");
    if (!every) return undefined;
    const unitNode = sub(every, "unit");
    const unit = unitNode ? unitOf(unitNode) : undefined;
    const intervalToken = token(every, "NumberLiteral");
    const interval = intervalToken ? this.number(intervalToken) : undefined;
    const weekdays: A.NameNode[] = tokens(every, "weekday").flatMap((t) => (usable(t) ? [nameFromToken(t)] : []));
    if (!unit && weekdays.length === 0) return undefined;
    const monthDayToken = token(every, "monthDay");
    const monthDay = monthDayToken ? this.number(monthDayToken) : undefined;
    const times: A.TimeOfDayNode[] = [];
    for (const t of tokens(every, "TimeLiteral")) push(times, this.time(t));
    return {
      kind: "Schedule",
      ...range(node),
      spec: {
        kind: "every",
        ...(interval ? { interval } : {}),
        ...(unit ? { unit } : {}),
        weekdays,
        ...(monthDay ? { monthDay } : {}),
        times,
      },
    };
  }

  private limit(node: CstNode): A.LimitNode | undefined {
    let times: number | undefined;
    let wording: A.LimitNode["wording"] = "number";
    if (token(node, "Once")) {
      times = 1;
      wording = "once";
    } else if (token(node, "Twice")) {
      times = 2;
      wording = "twice";
    } else {
      times = this.number(token(node, "NumberLiteral"))?.value;
    }
    if (times === undefined) return undefined;
    const durationNode = sub(node, "duration");
    const every = durationNode ? this.duration(durationNode) : undefined;
    if (durationNode && !every) return undefined;
    return { kind: "Limit", ...range(node), times, wording, ...(every ? { every } : {}) };
  }

  // ---- conditions ----

  condition(node: CstNode | undefined): A.ConditionNode | undefined {
    if (!node) return undefined;
    const parts = children(node, "conjunction").map((c) => this.conjunction(c));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    const operands = parts as A.ConditionNode[];
    if (operands.length === 1) return operands[0];
    return { kind: "Or", ...range(node), operands };
  }

  private conjunction(node: CstNode): A.ConditionNode | undefined {
    const parts = children(node, "negation").map((c) => this.negation(c));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    const operands = parts as A.ConditionNode[];
    if (operands.length === 1) return operands[0];
    return { kind: "And", ...range(node), operands };
  }

  private negation(node: CstNode): A.ConditionNode | undefined {
    if (token(node, "Not")) {
      const operand = this.negation(sub(node, "negation") as CstNode);
      return operand && { kind: "Not", ...range(node), operand };
    }
    const inner = sub(node, "condition");
    if (inner) {
      if (!usable(token(node, "RParen"))) return undefined;
      const condition = this.condition(inner);
      return condition && { kind: "Group", ...range(node), inner: condition };
    }
    const atom = sub(node, "atom");
    return atom ? this.atom(atom) : undefined;
  }

  private atom(node: CstNode): A.AtomNode | undefined {
    const inner = firstRuleChild(node);
    if (!inner || this.repaired(inner)) return undefined;
    const r = { ...range(node), ...(usable(token(node, "Member")) ? { member: true as const } : {}) };
    switch (inner.name) {
      case "boughtCondition": {
        const item = this.optionalItem(inner);
        const count = this.optional(inner, "quantity", (n) => this.quantity(n));
        const window = this.optionalWindow(inner);
        if (item === null || count === null || window === null) return undefined;
        return { kind: "Bought", ...r, ...(item ? { item } : {}), ...(count ? { count } : {}), ...(window ? { window } : {}) };
      }
      case "spentCondition": {
        const item = this.optionalItem(inner);
        const amount = this.quantity(sub(inner, "quantity"));
        const window = this.optionalWindow(inner);
        if (item === null || window === null || !amount) return undefined;
        return { kind: "Spent", ...r, ...(item ? { item } : {}), amount, ...(window ? { window } : {}) };
      }
      case "lastPurchaseCondition": {
        const item = this.optionalItem(inner);
        const op = quantifierOp(sub(inner, "quantifier"));
        const ago = this.duration(sub(inner, "duration"));
        if (item === null || !op || !ago || !usable(token(inner, "Ago"))) return undefined;
        return { kind: "LastPurchase", ...r, ...(item ? { item } : {}), op, ago };
      }
      case "pointsExpiringCondition": {
        const window = this.window(sub(inner, "window"));
        const amount = this.quantity(sub(inner, "quantity"));
        return window && amount && { kind: "PointsExpiring", ...r, window, amount };
      }
      case "joinedCondition": {
        const window = this.window(sub(inner, "window"));
        return window && { kind: "Joined", ...r, window };
      }
      case "birthdayCondition": {
        const window = this.window(sub(inner, "window"));
        return window && { kind: "Birthday", ...r, window };
      }
      case "referredCondition": {
        const count = this.quantity(sub(inner, "quantity"));
        const window = this.optionalWindow(inner);
        if (!count || window === null || !usable(token(inner, "Member"))) return undefined;
        return { kind: "Referred", ...r, count, ...(window ? { window } : {}) };
      }
      case "segmentCondition": {
        const segment = this.name(sub(inner, "name"));
        return segment && { kind: "InSegment", ...r, segment };
      }
      case "comparison":
        return this.comparison(inner, r);
      default:
        return undefined;
    }
  }

  private comparison(node: CstNode, r: A.Range & { member?: true }): A.ComparisonNode | undefined {
    const field = this.name(sub(node, "field"));
    if (!field) return undefined;
    const opNode = sub(node, "compareOperator");
    if (opNode) {
      const op = compareOp(opNode);
      const value = this.value(sub(node, "value"));
      return op && value && { kind: "Comparison", ...r, field, test: { kind: "compare", op, value, wording: "symbol" } };
    }
    if (token(node, "Is")) {
      const negated = token(node, "Not") !== undefined;
      const value = this.value(sub(node, "value"));
      return (
        value && {
          kind: "Comparison",
          ...r,
          field,
          test: { kind: "compare", op: negated ? "!=" : "=", value, wording: negated ? "is not" : "is" },
        }
      );
    }
    if (token(node, "In")) {
      const values = this.valueList(sub(node, "valueList"));
      return values && { kind: "Comparison", ...r, field, test: { kind: "in", negated: token(node, "Not") !== undefined, values } };
    }
    if (token(node, "Between")) {
      const low = this.value(sub(node, "low"));
      const high = this.value(sub(node, "high"));
      return low && high && { kind: "Comparison", ...r, field, test: { kind: "between", low, high } };
    }
    return undefined;
  }

  /** undefined: not written; null: written but broken. */
  private optionalItem(node: CstNode): A.ItemFilterNode | undefined | null {
    return this.optional(node, "itemFilter", (n) => this.itemFilter(n));
  }

  private optionalWindow(node: CstNode): A.DurationNode | undefined | null {
    return this.optional(node, "window", (n) => this.window(n));
  }

  private optional<N>(node: CstNode, child: string, build: (n: CstNode) => N | undefined): N | undefined | null {
    const c = sub(node, child);
    if (!c) return undefined;
    return build(c) ?? null;
  }

  private itemFilter(node: CstNode): A.ItemFilterNode | undefined {
    const r = range(node);
    if (token(node, "Anything")) return { kind: "ItemFilter", ...r, by: "anything", names: [], list: false };
    const by = token(node, "Brand") ? "brand" : token(node, "Category") ? "category" : token(node, "Sku") ? "sku" : undefined;
    if (!by) return undefined;
    const listNode = sub(node, "valueList");
    if (listNode) {
      const values = this.valueList(listNode);
      if (!values) return undefined;
      const names = values.map((v) =>
        v.kind === "Name" ? v : { kind: "Name" as const, start: v.start, end: v.end, value: valueText(v), quoted: true },
      );
      return { kind: "ItemFilter", ...r, by, names, list: true };
    }
    const name = this.name(sub(node, "name"));
    return name && { kind: "ItemFilter", ...r, by, names: [name], list: false };
  }

  private window(node: CstNode | undefined): A.DurationNode | undefined {
    return node ? this.duration(sub(node, "duration")) : undefined;
  }

  private duration(node: CstNode | undefined): A.DurationNode | undefined {
    if (!node) return undefined;
    const amount = this.number(token(node, "NumberLiteral"));
    const unitNode = sub(node, "unit");
    const unit = unitNode ? unitOf(unitNode) : undefined;
    return amount && unit && { kind: "Duration", ...range(node), amount, unit };
  }

  private quantity(node: CstNode | undefined): A.QuantityNode | undefined {
    if (!node) return undefined;
    const amount = this.number(token(node, "NumberLiteral"));
    const quantifier = sub(node, "quantifier");
    const operator = sub(node, "compareOperator");
    const op = quantifier ? quantifierOp(quantifier) : operator ? compareOp(operator) : undefined;
    return amount && op && { kind: "Quantity", ...range(node), op, amount, symbolic: operator !== undefined };
  }

  private percentage(node: CstNode | undefined): A.NumberNode | undefined {
    if (!node || !usable(token(node, "Percent"))) return undefined;
    return this.number(token(node, "NumberLiteral"));
  }

  private value(node: CstNode | undefined): A.ValueNode | undefined {
    if (!node) return undefined;
    const num = token(node, "NumberLiteral");
    if (num) return this.number(num);
    const date = token(node, "DateLiteral");
    if (date) return this.date(date);
    const t = token(node, "True") ?? token(node, "False");
    if (t) return usable(t) ? { kind: "Boolean", start: t.startOffset, end: endOf(t), value: t.tokenType.name === "True" } : undefined;
    return this.name(sub(node, "name"));
  }

  private valueList(node: CstNode | undefined): A.ValueNode[] | undefined {
    if (!node || !usable(token(node, "RParen"))) return undefined;
    const values = children(node, "value").map((v) => this.value(v));
    if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
    return values as A.ValueNode[];
  }

  name(node: CstNode | undefined): A.NameNode | undefined {
    if (!node) return undefined;
    const str = token(node, "StringLiteral");
    if (str) return this.string(str);
    const word = allChildren(node).find(isToken);
    return word && usable(word) ? nameFromToken(word) : undefined;
  }

  private string(t: IToken | undefined): A.NameNode | undefined {
    if (!usable(t)) return undefined;
    return { kind: "Name", start: t.startOffset, end: endOf(t), value: unquote(t.image), quoted: true };
  }

  private number(t: IToken | undefined): A.NumberNode | undefined {
    if (!usable(t)) return undefined;
    if (!/^\d+(\.\d+)?$/.test(t.image)) {
      this.report("E003", t, `"${t.image}" is not a number`, "write numbers like 30 or 12.5, with one decimal point");
      return undefined;
    }
    return { kind: "Number", start: t.startOffset, end: endOf(t), value: Number(t.image), raw: t.image };
  }

  private date(t: IToken | undefined): A.DateNode | undefined {
    if (!usable(t)) return undefined;
    const [y, m, d] = t.image.split("-").map(Number) as [number, number, number];
    const valid = m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
    if (!valid) {
      this.report("E004", t, `"${t.image}" is not a date in the calendar`, "write dates as YYYY-MM-DD, for example 2026-12-01");
      return undefined;
    }
    const value = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    return { kind: "Date", start: t.startOffset, end: endOf(t), value };
  }

  private time(t: IToken | undefined): A.TimeOfDayNode | undefined {
    if (!usable(t)) return undefined;
    const [hour, minute] = t.image.split(":").map(Number) as [number, number];
    if (hour > 23 || minute > 59) {
      this.report("E005", t, `"${t.image}" is not a time of day`, "write times on a 24-hour clock as HH:MM, from 00:00 to 23:59");
      return undefined;
    }
    return { kind: "TimeOfDay", start: t.startOffset, end: endOf(t), hour, minute };
  }

  private action(node: CstNode): A.ActionNode | undefined {
    if (this.repaired(node)) return undefined;
    const award = sub(node, "awardAction");
    if (award) {
      const amount = this.number(token(award, "NumberLiteral"));
      return amount && usable(token(award, "Points")) ? { kind: "AwardPoints", ...range(award), amount } : undefined;
    }
    const send = sub(node, "sendAction");
    if (!send) return undefined;
    const via: A.ChannelRefNode[] = [];
    for (const c of children(send, "channel")) {
      const raw = this.name(c);
      if (!raw) return undefined;
      via.push({ kind: "ChannelRef", start: raw.start, end: raw.end, name: raw.value.toLowerCase() });
    }
    if (token(send, "Message")) {
      const variantsNode = sub(send, "variants");
      if (variantsNode) {
        if (!usable(token(variantsNode, "RParen"))) return undefined;
        const variants: A.VariantNode[] = [];
        for (const v of children(variantsNode, "variant")) {
          const message = this.name(sub(v, "name"));
          const percent = this.percentage(sub(v, "percentage"));
          if (!message || !percent) return undefined;
          variants.push({ kind: "Variant", ...range(v), message, percent });
        }
        return { kind: "SendMessage", ...range(send), message: variants, via };
      }
      const message = this.name(sub(send, "message"));
      return message && { kind: "SendMessage", ...range(send), message, via };
    }
    if (token(send, "Coupon")) {
      if (token(send, "For")) {
        const brand = this.name(sub(send, "brand"));
        return brand && { kind: "SendCoupon", ...range(send), coupon: { kind: "forBrand", brand }, via };
      }
      const name = this.name(sub(send, "coupon"));
      return name && { kind: "SendCoupon", ...range(send), coupon: { kind: "named", name }, via };
    }
    return undefined;
  }

  private report(code: DiagnosticCode, t: IToken, message: string, help: string): void {
    this.diagnostics.push({
      severity: "error",
      code,
      file: this.source.path,
      span: this.source.span(t.startOffset, endOf(t)),
      message,
      help,
    });
  }
}

// ---- CST access ----

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function allChildren(node: CstNode): CstElement[] {
  const out: CstElement[] = [];
  for (const key in node.children) {
    const list = node.children[key];
    if (list) for (const e of list) out.push(e);
  }
  return out.length > 1 ? out.sort((a, b) => startOf(a) - startOf(b)) : out;
}

/** The first child that is a rule (for rules made of one alternative), without sorting. */
function firstRuleChild(node: CstNode): CstNode | undefined {
  let best: CstNode | undefined;
  for (const key in node.children) {
    for (const e of node.children[key] ?? []) {
      if (!isToken(e) && (best === undefined || startOf(e) < startOf(best))) best = e;
    }
  }
  return best;
}

function startOf(e: CstElement): number {
  const v = isToken(e) ? e.startOffset : e.location?.startOffset;
  return typeof v === "number" && !Number.isNaN(v) ? v : Number.MAX_SAFE_INTEGER;
}

function children(node: CstNode, name: string): CstNode[] {
  return (node.children[name] ?? []).filter((e): e is CstNode => !isToken(e));
}

function sub(node: CstNode, name: string): CstNode | undefined {
  return children(node, name)[0];
}

function tokens(node: CstNode, name: string): IToken[] {
  return (node.children[name] ?? []).filter(isToken);
}

function token(node: CstNode, name: string): IToken | undefined {
  return tokens(node, name)[0];
}

/**
 * Recovery made this piece fit by inserting a word the author did not write (`age between 25
 * to 35` gets an `and` and reads `to` as the upper bound). The parser has reported it; building
 * a node from the guess would make the checker report nonsense about it (`"to" is not a number`).
 */
/** Whether recovery invented any token in this subtree. */
function repaired(node: CstNode): boolean {
  for (const key in node.children) {
    for (const c of node.children[key] ?? []) {
      if (isToken(c) ? c.isInsertedInRecovery === true : repaired(c)) return true;
    }
  }
  return false;
}

/** A token the author wrote (recovery may insert empty tokens that were never in the text). */
function usable(t: IToken | undefined): t is IToken {
  return t !== undefined && t.isInsertedInRecovery !== true && !Number.isNaN(t.startOffset);
}

function endOf(t: IToken): number {
  return t.startOffset + t.image.length;
}

function range(node: CstNode): A.Range {
  const loc = node.location;
  const start = loc?.startOffset ?? 0;
  const end = loc?.endOffset;
  return {
    start: Number.isNaN(start) ? 0 : start,
    end: end === undefined || Number.isNaN(end) ? (Number.isNaN(start) ? 0 : start) : end + 1,
  };
}

function nameFromToken(t: IToken): A.NameNode {
  return { kind: "Name", start: t.startOffset, end: endOf(t), value: t.image, quoted: false };
}

function unquote(image: string): string {
  const open = image.charAt(0);
  const body = image.slice(1, -1);
  if (open === "“") return body;
  return body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

function valueText(v: A.ValueNode): string {
  switch (v.kind) {
    case "Name":
      return v.value;
    case "Number":
      return v.raw;
    case "Date":
      return v.value;
    case "Boolean":
      return String(v.value);
  }
}

function unitOf(node: CstNode): A.TimeUnit | undefined {
  const t = allChildren(node).find(isToken);
  if (!usable(t)) return undefined;
  switch (t.tokenType.name) {
    case "Hour":
      return "hour";
    case "Day":
      return "day";
    case "Week":
      return "week";
    case "Month":
      return "month";
    case "Year":
      return "year";
    default:
      return undefined;
  }
}

function compareOp(node: CstNode): A.CompareOp | undefined {
  const t = allChildren(node).find(isToken);
  if (!usable(t)) return undefined;
  switch (t.tokenType.name) {
    case "GreaterEqual":
      return ">=";
    case "LessEqual":
      return "<=";
    case "NotEqual":
      return "!=";
    case "GreaterThan":
      return ">";
    case "LessThan":
      return "<";
    case "Equals":
      return "=";
    default:
      return undefined;
  }
}

function quantifierOp(node: CstNode | undefined): A.CompareOp | undefined {
  if (!node) return undefined;
  const words = allChildren(node).filter(isToken);
  if (words.some((w) => !usable(w))) return undefined;
  const names = words.map((w) => w.tokenType.name);
  if (names.includes("Least")) return ">=";
  if (names.includes("Most")) return "<=";
  if (names.includes("More")) return ">";
  if (names.includes("Less")) return "<";
  if (names.includes("Exactly")) return "=";
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function push<N>(list: N[], item: N | undefined): void {
  if (item !== undefined) list.push(item);
}
