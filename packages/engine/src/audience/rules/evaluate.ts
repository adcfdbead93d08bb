import { Almanac, type RuleResult } from "json-rules-engine";
import { suggest, type CampaignDefinition } from "@patron/dsl";
import type { Db } from "../../store/store.js";
import { memberData, type MemberHistory, type MemberRecord } from "../facts/index.js";
import { compileCampaign, type CompiledRule, type RuleNodeInfo } from "./compile.js";
import type { AudienceContext } from "./context.js";
import { RAW_FACTS } from "./facts.js";

/*
 * Running a compiled rule for one member: a fresh almanac holding that member's data (the row at
 * once, purchases, point lots and referrals loaded only if a condition asks), one engine run,
 * and the engine's per-condition results read back into a tree that mirrors the condition.
 */

/** One condition's outcome for a member, mirroring the campaign's condition. */
export type ExplainNode =
  | { readonly kind: "all" | "any"; readonly text: string; readonly result: boolean; readonly children: readonly ExplainNode[] }
  | { readonly kind: "not"; readonly text: string; readonly result: boolean; readonly operand: ExplainNode }
  | { readonly kind: "segment"; readonly segment: string; readonly text: string; readonly result: boolean; readonly operand: ExplainNode }
  | {
      readonly kind: "condition";
      /** The kind of condition (`Bought`, `Comparison`, …). */
      readonly condition: string;
      /** The words as written in the campaign (or segment) file. */
      readonly text: string;
      readonly result: boolean;
      /** What the condition saw, in plain words. */
      readonly saw: string;
      /** The observation behind `saw`: the fact's value as JSON (instants in epoch ms). */
      readonly observed: unknown;
    };

export interface MemberEvaluation {
  readonly matched: boolean;
  /** False when the member joined after as-of: such a member is in no audience. */
  readonly exists: boolean;
  /** What the existence check saw ("joined 2027-01-03 10:00, after the as-of time …"). */
  readonly existsSaw: string;
  readonly explanation: ExplainNode;
}

/** Thrown for a member id no member has; `suggestion` is a near id when one exists. */
export class UnknownMemberError extends Error {
  constructor(
    readonly memberId: string,
    readonly suggestion: string | undefined,
  ) {
    super(
      `no member with id ${JSON.stringify(memberId)}${suggestion !== undefined ? `; did you mean ${JSON.stringify(suggestion)}?` : ""}`,
    );
    this.name = "UnknownMemberError";
  }
}

/** Evaluates a compiled rule for one member, with the outcome of every condition. */
export async function evaluateMember(db: Db, compiled: CompiledRule, memberId: string): Promise<MemberEvaluation> {
  const data = memberData(db);
  const member = data.member(memberId);
  if (!member) throw new UnknownMemberError(memberId, suggest(memberId, data.nearbyIds(memberId)));
  const result = await run(compiled, member, data.history(compiled.asOf));
  const root = result.conditions as unknown as ResultCondition;
  const [exists, condition] = root.all ?? [];
  if (!exists || !condition) throw new Error("internal: the rule's result lacks its two root conditions");
  const existsNode = explainNode(exists, compiled.nodes);
  return {
    matched: result.result === true,
    exists: existsNode.result,
    existsSaw: existsNode.kind === "condition" ? existsNode.saw : "",
    explanation: explainNode(condition, compiled.nodes),
  };
}

/** Whether a member is in the audience of a compiled rule; undefined when no member has the id. */
export async function memberMatches(db: Db, compiled: CompiledRule, memberId: string): Promise<boolean | undefined> {
  const data = memberData(db);
  const member = data.member(memberId);
  if (!member) return undefined;
  return (await run(compiled, member, data.history(compiled.asOf))).result === true;
}

/**
 * The audience of a compiled rule, member by member: every member id, in the store's id order,
 * whose evaluation is true. The slow path (one engine run per member), for tests, the
 * differential test and the benchmark; audiences for runs come from the SQL compiler.
 */
export async function ruleAudience(db: Db, compiled: CompiledRule): Promise<string[]> {
  const out: string[] = [];
  for (const page of memberData(db).pages(compiled.asOf)) {
    for (const member of page.members) {
      if ((await run(compiled, member, page.history)).result === true) out.push(member.id);
    }
  }
  return out;
}

/** Compiles a campaign and evaluates it for every member: `ruleAudience` of `compileCampaign`. */
export function audienceByRules(db: Db, campaign: CampaignDefinition, ctx: AudienceContext): Promise<string[]> {
  return ruleAudience(db, compileCampaign(campaign, ctx));
}

async function run(compiled: CompiledRule, member: MemberRecord, history: MemberHistory): Promise<RuleResult> {
  const almanac = new Almanac({ allowUndefinedFacts: true });
  almanac.addFact(RAW_FACTS.member, member);
  almanac.addFact(RAW_FACTS.purchases, () => history.purchases(member.id));
  almanac.addFact(RAW_FACTS.pointLots, () => history.pointLots(member.id));
  almanac.addFact(RAW_FACTS.referrals, () => history.referrals(member.id));
  const { results, failureResults } = await compiled.engine.run({}, { almanac });
  const result = results[0] ?? failureResults[0];
  if (!result) throw new Error("internal: the engine returned no result for the rule");
  return result;
}

/**
 * A condition of json-rules-engine's result (its RuleResult clones the rule's conditions and
 * writes `result`, and for fact conditions `factResult`, onto each). Read structurally: the
 * library's exported types do not describe the nested results.
 */
interface ResultCondition {
  readonly name?: string;
  readonly result?: boolean;
  readonly factResult?: unknown;
  readonly all?: readonly ResultCondition[];
  readonly any?: readonly ResultCondition[];
  readonly not?: ResultCondition;
}

function explainNode(condition: ResultCondition, nodes: ReadonlyMap<string, RuleNodeInfo>): ExplainNode {
  const info = nodes.get(condition.name ?? "");
  if (!info) throw new Error(`internal: no node named ${String(condition.name)} in the compiled rule`);
  // Every condition is evaluated (one priority everywhere, so json-rules-engine never skips
  // one); `result` is only missing if that ever changes, and then reads as false.
  const result = condition.result === true;
  switch (info.kind) {
    case "all":
    case "any":
      return { kind: info.kind, text: info.text, result, children: (condition[info.kind] ?? []).map((c) => explainNode(c, nodes)) };
    case "not":
      if (!condition.not) throw new Error("internal: a not without its operand");
      return { kind: "not", text: info.text, result, operand: explainNode(condition.not, nodes) };
    case "segment": {
      const inner = condition.all?.[0];
      if (!inner) throw new Error("internal: a segment without its condition");
      return { kind: "segment", segment: info.segment, text: info.text, result, operand: explainNode(inner, nodes) };
    }
    case "atom":
      return {
        kind: "condition",
        condition: info.atom,
        text: info.text,
        result,
        saw: condition.result === undefined ? "(not evaluated)" : info.describe(condition.factResult),
        observed: condition.factResult ?? null,
      };
  }
}
