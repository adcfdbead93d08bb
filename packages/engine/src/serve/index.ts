// Webhook handlers of `patron serve`: plain functions over a parsed request and the store.
export { parseForm } from "./form.js";
export type { ParsedForm } from "./form.js";
export {
  matchReply,
  normalizeReply,
  OPT_IN_KEYWORDS,
  REGION_OPT_OUT_KEYWORDS,
  replyKeywords,
  TWILIO_OPT_OUT_KEYWORDS,
} from "./keywords.js";
export type { ReplyKeywords, ReplyMatch } from "./keywords.js";
export { membersWithOpenid, membersWithPhone, phoneForms } from "./members-by-address.js";
export { applyOptOut } from "./opt-out-change.js";
export type { WebhookResponse } from "./response.js";
export { emptyTwiml, twilioSignatureProblem } from "./twilio-request.js";
export type { TwilioWebhook } from "./twilio-request.js";
export { handleTwilioStatus, TWILIO_OPTED_OUT, TWILIO_PROVIDER } from "./twilio-status.js";
export type { TwilioStatusSettings } from "./twilio-status.js";
export { handleInboundSms } from "./twilio-inbound.js";
export type { InboundSmsSettings } from "./twilio-inbound.js";
export { wechatSignature, wechatSignatureProblem } from "./wechat-signature.js";
export type { WechatSignedQuery } from "./wechat-signature.js";
export { parseWechatXml } from "./wechat-xml.js";
export type { WechatXml } from "./wechat-xml.js";
export { handleWechatEvent, handleWechatVerify, WECHAT_PROVIDER } from "./wechat-events.js";
export type { WechatSettings } from "./wechat-events.js";
export { handleUnsubscribe, isOneClickBody, unsubscribePage } from "./unsubscribe.js";
export type { UnsubscribeLink, UnsubscribeSettings } from "./unsubscribe.js";
