/*
 * The contract every channel provider implements. The engine plans messages and the dispatcher
 * sends them through this interface only; each provider lives in a folder of its own with its
 * tests beside it. Providers never decide policy (consent, caps, quiet hours): they send, and
 * they classify what went wrong so the dispatcher knows whether to retry.
 */

export type ChannelName = "sms" | "email" | "wechat";

/** What a member must have for a channel to reach them. */
export type AddressKind = "phone" | "email" | "wechat_openid";

export const ADDRESS_OF: Readonly<Record<ChannelName, AddressKind>> = {
  sms: "phone",
  email: "email",
  wechat: "wechat_openid",
};

/** A rendered message, ready to go. Content is per channel; the key makes sending idempotent. */
export type OutgoingMessage =
  | { readonly channel: "sms"; readonly key: string; readonly to: string; readonly body: string }
  | {
      readonly channel: "email";
      readonly key: string;
      readonly to: string;
      readonly subject: string;
      /** At least one of text and html is set (patron.yaml requires one). */
      readonly text?: string;
      readonly html?: string;
      /** One-click unsubscribe address (RFC 8058): sent as List-Unsubscribe headers. */
      readonly unsubscribeUrl?: string;
    }
  | {
      readonly channel: "wechat";
      readonly key: string;
      readonly to: string;
      readonly templateId: string;
      readonly data: Readonly<Record<string, string>>;
      /** Where tapping the card goes: a web page, or a mini program page (which wins when both are set). */
      readonly url?: string;
      readonly miniprogram?: { readonly appId: string; readonly pagePath: string };
    };

/**
 * The outcome of one send. A failure is temporary (retry later: rate limits, 5xx, timeouts,
 * SMTP 4xx) or permanent (never retry: invalid number, not following, 5xx SMTP), with the
 * provider's own code so reports can group by it. `optOut` marks failures that mean the member
 * asked to stop (Twilio 21610): the engine records an opt-out.
 */
export type SendResult =
  | { readonly ok: true; readonly providerId: string }
  | {
      readonly ok: false;
      readonly kind: "temporary" | "permanent";
      readonly code: string;
      readonly message: string;
      readonly optOut?: boolean;
      /** For a temporary failure, the provider's hint of when to try again (ms), if it gave one. */
      readonly retryAfterMs?: number;
      /**
       * The whole channel must stop until this instant (epoch ms): a daily quota is spent (WeChat
       * 45009). The dispatcher sends nothing more on it before then; the message stays queued.
       */
      readonly pauseChannelUntil?: number;
    };

/** What a provider remembers of a send, for settling a send whose outcome a crash left unknown. */
export type LookupResult = { readonly found: true; readonly providerId: string } | { readonly found: false };

export interface Channel {
  readonly name: ChannelName;
  /** The provider behind it, for logs and reports (e.g. "twilio", "smtp", "console"). */
  readonly provider: string;
  /** How many sends may be in flight at once. */
  readonly concurrency: number;
  /** The most sends per second; undefined for no limit. */
  readonly ratePerSecond?: number;
  /**
   * True when the provider itself drops a second send of the same message (same key), e.g. WeChat's
   * client_msg_id: a send whose outcome is unknown (the process died mid-send) may simply be sent again.
   */
  readonly idempotent: boolean;
  /** How long after a send the provider still drops a repeat (WeChat: 10 minutes); forever when absent. */
  readonly idempotentForMs?: number;
  send(message: OutgoingMessage): Promise<SendResult>;
  /**
   * For providers that can be asked (Twilio's message list): was this message accepted at or after
   * `since`? Settles a send whose outcome is unknown without sending it twice.
   */
  lookup?(message: OutgoingMessage, since: Date): Promise<LookupResult>;
  /** Releases connections (SMTP pool, sockets). */
  close(): Promise<void>;
}
