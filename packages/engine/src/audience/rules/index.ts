// The json-rules-engine evaluator: a campaign's condition as one json-rules-engine rule, run per
// member. Powers `patron explain` and is the second evaluator the SQL compiler is tested against.

// Compiling a condition once per run
export { compileCampaign, compileRule } from "./compile.js";
export type { CompiledRule, RuleCondition, RuleNodeInfo } from "./compile.js";
export type { AudienceContext } from "./context.js";

// Evaluating members
export { audienceByRules, evaluateMember, memberMatches, ruleAudience, UnknownMemberError } from "./evaluate.js";
export type { ExplainNode, MemberEvaluation } from "./evaluate.js";

// patron explain
export { explainMember } from "./explain.js";
export type { Explanation } from "./explain.js";
export { renderExplanation } from "./render.js";
