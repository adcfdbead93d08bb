import type { Region } from "@patron/config";

/*
 * Which replies opt a member out of (or back into) a channel. A reply counts only when the whole
 * message is the keyword, ignoring case, width (ＴＤ is TD), spaces and punctuation around it:
 * "STOP" and "退订。" count, "please stop" does not. Twilio itself blocks a number that replies
 * one of its words (later sends fail with 21610) and lifts the block on START, UNSTOP or YES, in
 * every region, so Patron always honours those words too: its opt-outs never disagree with the
 * carrier's. China adds the conventional 回T/N/TD退订 words; patron.yaml's optOutKeywords add more.
 */

/** Twilio's own opt-out words (Twilio blocks the number on these). */
export const TWILIO_OPT_OUT_KEYWORDS: readonly string[] = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];

/** Twilio's own opt-in words (Twilio lifts its block on these). */
export const OPT_IN_KEYWORDS: readonly string[] = ["START", "UNSTOP", "YES"];

/** Opt-out words of each region beyond Twilio's. */
export const REGION_OPT_OUT_KEYWORDS: Readonly<Record<Region, readonly string[]>> = {
  cn: ["TD", "T", "N", "退订"],
  us: [],
  eu: [],
  other: [],
};

export interface ReplyKeywords {
  /** Normalized (see normalizeReply). */
  readonly optOut: ReadonlySet<string>;
  /** Normalized; never a word that is also an opt-out word (stopping wins). */
  readonly optIn: ReadonlySet<string>;
}

export interface ReplyMatch {
  readonly action: "opt-out" | "opt-in";
  /** The keyword as matched (normalized). */
  readonly keyword: string;
}

/** The keywords in force for a region, with the ones patron.yaml configures (optOutKeywords). */
export function replyKeywords(region: Region, configured: readonly string[]): ReplyKeywords {
  const optOut = new Set([...TWILIO_OPT_OUT_KEYWORDS, ...REGION_OPT_OUT_KEYWORDS[region], ...configured].map(normalizeReply));
  optOut.delete("");
  const optIn = new Set(OPT_IN_KEYWORDS.map(normalizeReply).filter((k) => !optOut.has(k)));
  return { optOut, optIn };
}

/** The keyword a whole reply is, if it is one. */
export function matchReply(body: string, keywords: ReplyKeywords): ReplyMatch | undefined {
  const reply = normalizeReply(body);
  if (keywords.optOut.has(reply)) return { action: "opt-out", keyword: reply };
  if (keywords.optIn.has(reply)) return { action: "opt-in", keyword: reply };
  return undefined;
}

/** Full-width folded (NFKC), upper-cased, without the spaces and punctuation around it. */
export function normalizeReply(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "")
    .toUpperCase();
}
