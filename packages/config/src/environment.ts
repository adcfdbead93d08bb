import { CANONICAL_FIELDS, CHANNEL_NAMES, type CheckEnvironment } from "@patron/dsl";
import type { PatronConfig } from "./types.js";

/** What the campaign checker needs to know about this business, from its configuration. */
export function toCheckEnvironment(config: PatronConfig): CheckEnvironment {
  return {
    tiers: config.tiers,
    fields: [...CANONICAL_FIELDS, ...config.members.fields],
    channels: CHANNEL_NAMES.filter((channel) => config.channels[channel] !== undefined),
    messages: config.messages.map((message) => ({
      name: message.name,
      channels: CHANNEL_NAMES.filter((channel) => message[channel] !== undefined),
    })),
    coupons: config.coupons.map(({ name, brand, message }) => ({ name, message, ...(brand !== undefined && { brand }) })),
    timezone: config.timezone,
  };
}
