// Message templates (docs/templates.md): compiling, rendering, checking, and SMS length.
export { compileMessages } from "./compile.js";
export type { CompiledMessages, CompiledTemplate } from "./compile.js";
export { renderMessage, RenderError } from "./render.js";
export type { RenderedMessage } from "./render.js";
export type { CouponVariables, MemberValue, MessageContext } from "./context.js";
export type { DateInput } from "./format.js";
export { checkTemplates } from "./check.js";
export type { SmsLengthReport, TemplateCheckOptions, TemplateCheckResult } from "./check.js";
export { smsLength, SMS_LIMITS } from "./sms-length.js";
export type { SmsEncoding, SmsLength } from "./sms-length.js";
