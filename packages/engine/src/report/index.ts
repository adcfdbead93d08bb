// Reporting: what runs did and what they caused (re-exported by @patron/engine). Meaning and the
// JSON shape: docs/report.md. Everything not exported here is internal to this folder.

// The report of `patron report`
export { buildReport, DEFAULT_CHURN_DAYS, DEFAULT_PERIOD_DAYS } from "./report.js";
export type { GoalReport, LoyaltyReport, Report, ReportOptions, RunReport } from "./report.js";
export type { GroupConversion, Uplift } from "./conversions.js";
export type { CouponRedemption, CouponReport } from "./coupons.js";
export type { DeliveryReport, FailureCode, ProviderOutcome } from "./delivery.js";

// Goals measured for a run
export { compileGoal, goalText, goalWindow } from "./goal.js";
export type { GoalContext, GoalWindow } from "./goal.js";

// Confidence intervals
export { differenceInterval, wilsonInterval, Z_95 } from "./intervals.js";
export type { Interval } from "./intervals.js";

// Coupon redemptions from a CSV file
export { importRedemptions, redemptionSummaryText } from "./redemptions.js";
export type { RedemptionImportOptions, RedemptionImportSummary, RedemptionRejectCode } from "./redemptions.js";
