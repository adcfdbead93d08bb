// Public API of @patron/channels. Everything not exported here is internal.

// The contract
export { ADDRESS_OF } from "./contract/channel.js";
export type { AddressKind, Channel, ChannelName, LookupResult, OutgoingMessage, SendResult } from "./contract/channel.js";

// Providers
export { consoleChannel } from "./console/console-channel.js";
export type { ConsoleChannelOptions } from "./console/console-channel.js";
export { twilioChannel } from "./twilio/twilio-channel.js";
export type { TwilioChannelOptions } from "./twilio/options.js";
export { smtpChannel } from "./smtp/smtp-channel.js";
export type { SmtpChannelOptions } from "./smtp/smtp-channel.js";
export { wechatChannel, WECHAT_DEDUP_WINDOW_MS } from "./wechat/wechat-channel.js";
export type { TokenEndpoint, WechatChannelOptions } from "./wechat/wechat-channel.js";
