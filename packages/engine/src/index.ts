// Public API of @patron/engine. Everything not exported here is internal.

// The member data store
export { openStore } from "./store/store.js";
export type { Db } from "./store/store.js";
export { migrate, MIGRATIONS } from "./store/migrate.js";
export type { Migration } from "./store/migrate.js";

// The meaning of time (shared by the SQL compiler and the per-member evaluator)
export { pastWindow, futureWindow, shift } from "./time/windows.js";
export { ageOn, birthdayMonthDays, latestBirthdayForAge, localDate, memberZone, monthDay, startOfDate } from "./time/local-dates.js";
export { parseAsOf, formatInstant } from "./time/as-of.js";

// Importing CSV files
export * from "./import/index.js";

// Audiences: the SQL compiler (the fast path) …
export * from "./audience/sql/index.js";

// … and the json-rules-engine evaluator (per member: explain, and the second opinion)
export {
  audienceByRules,
  compileCampaign,
  compileRule,
  evaluateMember,
  explainMember,
  memberMatches,
  renderExplanation,
  ruleAudience,
  UnknownMemberError,
} from "./audience/rules/index.js";
export type { CompiledRule, Explanation, ExplainNode, MemberEvaluation, RuleCondition, RuleNodeInfo } from "./audience/rules/index.js";

// Demo data
export * from "./demo/index.js";

// Planning: audience → decisions (channel choice, variants) → outbox rows, or a dry run
export { chooseChannel } from "./plan/channel-choice.js";
export type { ChannelChoice, Reach } from "./plan/channel-choice.js";
export { pickVariant, stableFraction } from "./plan/assign.js";
export { decide, sendPlans, SUPPRESS_REASONS } from "./plan/decide.js";
export type { ActionExtras, ChannelContent, Decision, RenderedContent, RenderFn, SuppressReason } from "./plan/decide.js";
export { emptyFunnel, totalPlanned } from "./plan/funnel.js";
export type { Funnel } from "./plan/funnel.js";
export { EXPIRING_DAYS, openPages, reachOf, writeAudience } from "./plan/members.js";
export type { PlannedMember } from "./plan/members.js";
export { planInto } from "./plan/plan-run.js";
export type { DecisionSink, PlanInput } from "./plan/plan-run.js";
export { dryRun, maskAddress } from "./plan/dry-run.js";
export type { DryRunResult, SampleMessage } from "./plan/dry-run.js";

// Runs, schedules and leases
export { findRun, lastRunSlot, messageKey, planRun, runFunnel } from "./runs/run.js";
export type { PlanRunResult, RunRow } from "./runs/run.js";
export { compileSchedule, cronExpressions, ScheduleError } from "./runs/schedule.js";
export type { Schedule } from "./runs/schedule.js";
export { liveOwners, newHolder, processAlive, pruneLeases, release, renew, tryAcquire } from "./runs/leases.js";
export type { Holder, LeaseInfo } from "./runs/leases.js";

// Sending the outbox
export { dispatch, recoverOrphans } from "./dispatch/dispatcher.js";
export type { DispatchEvent, DispatchOptions, DispatchSummary } from "./dispatch/dispatcher.js";
export { DEFAULT_BACKOFF, retryDelay } from "./dispatch/backoff.js";
export type { BackoffPolicy } from "./dispatch/backoff.js";
export { RateLimiter } from "./dispatch/rate-limit.js";

// Consent
export { recordOptOut } from "./consent/opt-outs.js";
export type { OptOutEvent, OptOutSource } from "./consent/opt-outs.js";
export { createPlanner } from "./plan/prepare.js";
export type { Planner, PlannerOptions } from "./plan/prepare.js";
export { PreviewCouponIssuer, StoreCouponIssuer, readPool } from "./plan/coupons.js";
export type { CouponIssuer, IssuedCoupon } from "./plan/coupons.js";
export { templateRenderFn } from "./plan/render-member.js";
export { unsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from "./consent/unsubscribe.js";

// Message templates: compiled once per run, strict, checked by patron check
export * from "./render/index.js";
export { chooseSlot, nextSlotOf } from "./runs/due.js";
export type { SlotChoice } from "./runs/due.js";

export * from "./compliance/index.js";

// Webhooks for patron serve: delivery status, replies, one-click unsubscribe
export * from "./serve/index.js";

// Reporting: patron report
export * from "./report/index.js";
