import type { PatronConfig } from "@patron/config";

/*
 * What the carriers of patron.yaml's region require in an SMS (docs/configuration.md#region):
 *
 *   cn     every SMS carries the sign name (【丽美】) at its start or end — carriers reject it
 *          otherwise, so a missing one is an error; marketing SMS carry the opt-out text (回TD退订).
 *   us     marketing SMS carry STOP instructions ("Reply STOP to opt out").
 *   eu, other
 *          no rule of Patron's own; a configured optOutText is still looked for in marketing SMS.
 *
 * What channels.sms.signature and optOutText say is looked for exactly (letters in any case);
 * without them, the region's usual form is.
 */

/** A piece of text an SMS must carry, and how to find it. */
export interface Marker {
  /** For messages: `the sign name 【丽美】`, `STOP instructions`. */
  readonly name: string;
  /** What to write, for help texts: `【丽美】`, `Reply STOP to opt out`. */
  readonly example: string;
  /** True when it comes from patron.yaml (channels.sms.signature or optOutText). */
  readonly configured: boolean;
  /** Everywhere it is in `text`, as [start, end) offsets. */
  readonly findAll: (text: string) => readonly (readonly [number, number])[];
}

export interface SmsRules {
  /** Required on every SMS; only in region cn. */
  readonly signature?: Marker;
  /** Required on marketing SMS. */
  readonly optOut?: Marker;
}

export function smsRules(config: Pick<PatronConfig, "region" | "business" | "channels">): SmsRules {
  const sms = config.channels.sms;
  const optOutText = sms?.optOutText?.trim() || undefined;
  const signature = sms?.signature?.trim() || undefined;
  const configuredOptOut = optOutText === undefined ? undefined : exact(`the opt-out text ${quoted(optOutText)}`, optOutText);
  switch (config.region) {
    case "cn":
      return {
        signature: signature
          ? exact(`the sign name ${signature}`, signature)
          : pattern("a sign name in 【】", `【${config.business}】`, /【[^【】\r\n]+】/g),
        optOut:
          configuredOptOut ??
          pattern("the opt-out text 回TD退订", "回TD退订", /回复?\s*[A-Za-z]{1,8}\s*退订|退订\s*请?回复?\s*[A-Za-z]{1,8}/g),
      };
    case "us":
      return { optOut: configuredOptOut ?? pattern("STOP instructions", "Reply STOP to opt out", /\bSTOP\b/g) };
    case "eu":
    case "other":
      return configuredOptOut ? { optOut: configuredOptOut } : {};
  }
}

/** The written text, letters in any case (members read `reply stop` as `Reply STOP`). */
function exact(name: string, text: string): Marker {
  return { ...pattern(name, text, new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi")), configured: true };
}

function pattern(name: string, example: string, regex: RegExp): Marker {
  return {
    name,
    example,
    configured: false,
    findAll: (haystack) => [...haystack.matchAll(regex)].map((m) => [m.index, m.index + m[0].length] as const),
  };
}

/** `回TD退订` as it is, `"Reply STOP to opt out"` in quotes: a text with spaces needs them to show where it ends. */
export function quoted(text: string): string {
  return /\s/.test(text) ? `"${text}"` : text;
}
