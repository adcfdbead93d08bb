// The compliance lint of `patron check`: sign name and opt-out text in SMS, WeChat template
// messages kept for service notices, marketing campaigns limited (docs/language.md#e701).
export { checkCompliance } from "./check.js";
export type { ComplianceCheckOptions, ComplianceCheckResult } from "./check.js";
export { smsRules } from "./sms-rules.js";
export type { Marker, SmsRules } from "./sms-rules.js";
