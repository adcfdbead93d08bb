/*
 * The abstract syntax tree of a campaign file. Every node carries the [start, end) character
 * offsets of the text it came from, so the checker can point at the exact words; offsets become
 * line/column only when a diagnostic is shown. Keywords are normalised (case, singular/plural)
 * and names keep how they were written (`quoted`) so the formatter can print them back.
 */

export interface Range {
  readonly start: number;
  readonly end: number;
}

type NodeBase = Range;

export interface NameNode extends NodeBase {
  readonly kind: "Name";
  readonly value: string;
  /** Written in quotes (`"Head & Shoulders"`) rather than as a bare word (`gold`). */
  readonly quoted: boolean;
}

export interface NumberNode extends NodeBase {
  readonly kind: "Number";
  readonly value: number;
  readonly raw: string;
}

export interface DateNode extends NodeBase {
  readonly kind: "Date";
  /** ISO calendar date, YYYY-MM-DD. */
  readonly value: string;
}

export interface BooleanNode extends NodeBase {
  readonly kind: "Boolean";
  readonly value: boolean;
}

export type ValueNode = NameNode | NumberNode | DateNode | BooleanNode;

export type TimeUnit = "hour" | "day" | "week" | "month" | "year";

export interface DurationNode extends NodeBase {
  readonly kind: "Duration";
  readonly amount: NumberNode;
  readonly unit: TimeUnit;
}

/** `>=`, or in words `at least`; `symbolic` remembers which way it was written. */
export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export interface QuantityNode extends NodeBase {
  readonly kind: "Quantity";
  readonly op: CompareOp;
  readonly amount: NumberNode;
  readonly symbolic: boolean;
}

export interface ItemFilterNode extends NodeBase {
  readonly kind: "ItemFilter";
  readonly by: "brand" | "category" | "sku" | "anything";
  /** Empty for `anything`; one name, or several for `brand in (…)`. */
  readonly names: readonly NameNode[];
  /** Written as `brand in (…)`. */
  readonly list: boolean;
}

// ---- conditions ----

/** Every atom may be introduced by the filler word `member` (`when member bought …`). */
interface AtomBase extends NodeBase {
  /** The author wrote the optional word `member` in front. */
  readonly member?: true;
}

export interface AndNode extends NodeBase {
  readonly kind: "And";
  readonly operands: readonly ConditionNode[];
}

export interface OrNode extends NodeBase {
  readonly kind: "Or";
  readonly operands: readonly ConditionNode[];
}

export interface NotNode extends NodeBase {
  readonly kind: "Not";
  readonly operand: ConditionNode;
}

/** Parentheses the author wrote; kept so the formatter prints them back. */
export interface GroupNode extends NodeBase {
  readonly kind: "Group";
  readonly inner: ConditionNode;
}

export type ComparisonTest =
  | { readonly kind: "compare"; readonly op: CompareOp; readonly value: ValueNode; readonly wording: "symbol" | "is" | "is not" }
  | { readonly kind: "in"; readonly negated: boolean; readonly values: readonly ValueNode[] }
  | { readonly kind: "between"; readonly low: ValueNode; readonly high: ValueNode };

export interface ComparisonNode extends AtomBase {
  readonly kind: "Comparison";
  readonly field: NameNode;
  readonly test: ComparisonTest;
}

export interface BoughtNode extends AtomBase {
  readonly kind: "Bought";
  readonly item?: ItemFilterNode;
  readonly count?: QuantityNode;
  readonly window?: DurationNode;
}

export interface SpentNode extends AtomBase {
  readonly kind: "Spent";
  readonly item?: ItemFilterNode;
  readonly amount: QuantityNode;
  readonly window?: DurationNode;
}

export interface LastPurchaseNode extends AtomBase {
  readonly kind: "LastPurchase";
  readonly item?: ItemFilterNode;
  /** `more than 60 days ago` is op ">" with 60 days. */
  readonly op: CompareOp;
  readonly ago: DurationNode;
}

export interface PointsExpiringNode extends AtomBase {
  readonly kind: "PointsExpiring";
  readonly window: DurationNode;
  readonly amount: QuantityNode;
}

export interface JoinedNode extends AtomBase {
  readonly kind: "Joined";
  readonly window: DurationNode;
}

export interface BirthdayNode extends AtomBase {
  readonly kind: "Birthday";
  readonly window: DurationNode;
}

export interface ReferredNode extends AtomBase {
  readonly kind: "Referred";
  readonly count: QuantityNode;
  readonly window?: DurationNode;
}

export interface InSegmentNode extends AtomBase {
  readonly kind: "InSegment";
  readonly segment: NameNode;
}

export type AtomNode =
  | ComparisonNode
  | BoughtNode
  | SpentNode
  | LastPurchaseNode
  | PointsExpiringNode
  | JoinedNode
  | BirthdayNode
  | ReferredNode
  | InSegmentNode;

export type ConditionNode = AndNode | OrNode | NotNode | GroupNode | AtomNode;

// ---- actions ----

export interface ChannelRefNode extends NodeBase {
  readonly kind: "ChannelRef";
  /** Lower-cased as written; the checker says whether it is a known channel. */
  readonly name: string;
}

export interface VariantNode extends NodeBase {
  readonly kind: "Variant";
  readonly message: NameNode;
  readonly percent: NumberNode;
}

export interface SendMessageNode extends NodeBase {
  readonly kind: "SendMessage";
  /** One message, or weighted A/B variants. */
  readonly message: NameNode | readonly VariantNode[];
  readonly via: readonly ChannelRefNode[];
}

export interface SendCouponNode extends NodeBase {
  readonly kind: "SendCoupon";
  readonly coupon: { readonly kind: "named"; readonly name: NameNode } | { readonly kind: "forBrand"; readonly brand: NameNode };
  readonly via: readonly ChannelRefNode[];
}

export interface AwardPointsNode extends NodeBase {
  readonly kind: "AwardPoints";
  readonly amount: NumberNode;
}

export type ActionNode = SendMessageNode | SendCouponNode | AwardPointsNode;

// ---- options and structure ----

export interface RuleNode extends NodeBase {
  readonly kind: "Rule";
  readonly condition: ConditionNode;
  readonly actions: readonly ActionNode[];
}

export interface DescriptionNode extends NodeBase {
  readonly kind: "Description";
  readonly text: NameNode;
}

export interface TimeOfDayNode extends NodeBase {
  readonly kind: "TimeOfDay";
  readonly hour: number;
  readonly minute: number;
}

export type ScheduleSpec =
  | { readonly kind: "cron"; readonly expression: NameNode }
  | {
      readonly kind: "every";
      /** `every 2 hours` → 2; absent for `every day`. */
      readonly interval?: NumberNode;
      readonly unit?: TimeUnit;
      /** `every monday, thursday`. */
      readonly weekdays: readonly NameNode[];
      /** `on day 1` for monthly schedules. */
      readonly monthDay?: NumberNode;
      readonly times: readonly TimeOfDayNode[];
    };

export interface ScheduleNode extends NodeBase {
  readonly kind: "Schedule";
  readonly spec: ScheduleSpec;
}

export interface ActiveNode extends NodeBase {
  readonly kind: "Active";
  readonly from?: DateNode;
  readonly until?: DateNode;
}

export interface HoldoutNode extends NodeBase {
  readonly kind: "Holdout";
  readonly percent: NumberNode;
}

export interface LimitNode extends NodeBase {
  readonly kind: "Limit";
  readonly times: number;
  /** How it was written: once, twice, or a number. */
  readonly wording: "once" | "twice" | "number";
  readonly every?: DurationNode;
}

export interface PriorityNode extends NodeBase {
  readonly kind: "Priority";
  readonly value: NumberNode;
}

export interface GoalNode extends NodeBase {
  readonly kind: "Goal";
  readonly condition: ConditionNode;
}

export type OptionNode = DescriptionNode | ScheduleNode | ActiveNode | HoldoutNode | LimitNode | PriorityNode | GoalNode;

export type CampaignItemNode = OptionNode | RuleNode;

export interface CampaignBlockNode extends NodeBase {
  readonly kind: "Campaign";
  readonly name: NameNode;
  readonly items: readonly CampaignItemNode[];
}

export interface SegmentDeclNode extends NodeBase {
  readonly kind: "Segment";
  readonly name: NameNode;
  readonly condition: ConditionNode;
}

export type TopItemNode = SegmentDeclNode | CampaignBlockNode | CampaignItemNode;

export interface FileNode extends NodeBase {
  readonly kind: "File";
  readonly items: readonly TopItemNode[];
}
