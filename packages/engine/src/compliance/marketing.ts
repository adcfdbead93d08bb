import type { MessageConfig, PatronConfig } from "@patron/config";
import { listNames, type ChannelRefNode } from "@patron/dsl";
import type { MessageSend } from "../render/sends.js";

/** A message's purpose decides what the rules ask of it; a send of a coupon sends the coupon's message. */
export function isMarketing(config: PatronConfig, message: string): boolean {
  return messageConfig(config, message)?.purpose === "marketing";
}

export function messageConfig(config: PatronConfig, name: string): MessageConfig | undefined {
  return config.messages.find((m) => m.name === name);
}

/** The `wechat` (or another channel) as written in the via list of the action a send comes from. */
export function channelRef(send: MessageSend, channel: string): ChannelRefNode | undefined {
  const action = send.campaign.rule.actions.find((a) => a.start === send.at);
  return action && action.kind !== "AwardPoints" ? action.via.find((v) => v.name === channel) : undefined;
}

/** `marketing message "a"`, `coupon "C" with marketing message "a"`, `marketing messages "a" and "b"` */
export function describeSends(sends: readonly MessageSend[]): string {
  const [only] = sends;
  if (only && sends.length === 1) {
    return only.coupon === undefined
      ? `marketing message "${only.message}"`
      : `coupon "${only.coupon}" with marketing message "${only.message}"`;
  }
  const names = [...new Set(sends.map((s) => `"${s.message}"`))];
  if (names.length === 1) return `marketing message ${names[0]}`;
  return `marketing messages ${listNames(names.slice(0, -1))} and ${names[names.length - 1]}`;
}
