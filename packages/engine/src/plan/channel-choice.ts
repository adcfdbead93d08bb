import { ADDRESS_OF } from "@patron/channels";
import type { ChannelName } from "@patron/channels";

/** What planning knows of a member's reachability on one channel. */
export interface Reach {
  /** The phone, email or WeChat openid; empty or missing when there is none. */
  readonly address: string | null;
  /** consent_<channel> is true (1); false or unknown (NULL) is no consent. */
  readonly consent: boolean;
  /** An opt-out recorded on this channel and not withdrawn (opt_out_current). */
  readonly optedOut: boolean;
}

export type ChannelChoice =
  | { readonly ok: true; readonly channel: ChannelName; readonly address: string }
  /** no-address: none of the channels has an address; no-consent: some has one, but no consent (or an opt-out). */
  | { readonly ok: false; readonly reason: "no-address" | "no-consent" };

/**
 * `via sms or wechat or email`: the first channel, in the order written, that the member has an
 * address for and has consented to (and not opted out of). A member with none is unreachable,
 * counted as no-address when no listed channel has an address, else as no-consent.
 */
export function chooseChannel(via: readonly ChannelName[], reach: (channel: ChannelName) => Reach): ChannelChoice {
  let anyAddress = false;
  for (const channel of via) {
    const r = reach(channel);
    const address = r.address?.trim() ?? "";
    if (address === "") continue;
    anyAddress = true;
    if (r.consent && !r.optedOut) return { ok: true, channel, address };
  }
  return { ok: false, reason: anyAddress ? "no-consent" : "no-address" };
}

export { ADDRESS_OF };
