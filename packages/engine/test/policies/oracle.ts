import { DateTime } from "luxon";
import type { ChannelName } from "@patron/channels";
import type { QuietHours } from "@patron/config";
import { INVALID_ZONES, type CampaignSpec, type MemberSpec } from "./scenario.js";
import { optKey } from "./world.js";

/*
 * What the policies mean, written from the issue and product.md rather than from the engine's
 * code: the oracles the property tests compare the outbox with.
 */

/** The member's zone: theirs when it is a real zone, else the business zone. */
export function expectedZone(m: MemberSpec, businessZone: string): string {
  return (INVALID_ZONES as readonly (string | null)[]).includes(m.timezone) ? businessZone : (m.timezone as string);
}

export function addressOn(m: MemberSpec, channel: ChannelName): string {
  const raw = channel === "sms" ? m.phone : channel === "email" ? m.email : m.wechat;
  return raw?.trim() ?? "";
}

/** Consent is only an explicit yes; an opt-out recorded and not withdrawn overrides it. */
export function reachable(m: MemberSpec, channel: ChannelName, optedOut: ReadonlySet<string>): boolean {
  return addressOn(m, channel) !== "" && m.consent[channel] === true && !optedOut.has(optKey(m.id, channel));
}

/** The channel `via a or b or c` must pick, or why the member is unreachable. */
export function expectedChannel(
  m: MemberSpec,
  via: readonly ChannelName[],
  optedOut: ReadonlySet<string>,
): ChannelName | "no-address" | "no-consent" {
  const found = via.find((c) => reachable(m, c, optedOut));
  if (found) return found;
  return via.some((c) => addressOn(m, c) !== "") ? "no-consent" : "no-address";
}

const TIERS = ["silver", "gold", "platinum", "diamond"];

export function inAudience(m: MemberSpec, c: CampaignSpec): boolean {
  return m.tier !== null && TIERS.indexOf(m.tier) >= TIERS.indexOf(c.minTier);
}

/** Whether `at` falls in quiet hours in `zone` (from inclusive, until exclusive; spanning midnight when from > until). */
export function inQuietHours(quiet: QuietHours | undefined, at: number, zone: string): boolean {
  if (!quiet) return false;
  const local = DateTime.fromMillis(at, { zone });
  const minute = local.hour * 60 + local.minute;
  const from = quiet.from.hour * 60 + quiet.from.minute;
  const until = quiet.until.hour * 60 + quiet.until.minute;
  return from < until ? minute >= from && minute < until : minute >= from || minute < until;
}

export const DAY_MS = 86_400_000;

/** The member-local calendar day of an instant, as a day number (days since 1970-01-01 of that calendar). */
export function localDayNumber(at: number, zone: string): number {
  const d = DateTime.fromMillis(at, { zone });
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

/**
 * The largest count of instants falling in any `days` consecutive local calendar days, and the
 * first window reaching it (for a readable failure).
 */
export function busiestWindow(
  instants: readonly number[],
  days: number,
  zone: string,
): { readonly count: number; readonly firstDay: string | null } {
  const dayNumbers = instants.map((t) => localDayNumber(t, zone)).sort((a, b) => a - b);
  let best = 0;
  let bestStart: number | null = null;
  for (let i = 0, j = 0; j < dayNumbers.length; j++) {
    while ((dayNumbers[j] as number) - (dayNumbers[i] as number) >= days) i++;
    if (j - i + 1 > best) {
      best = j - i + 1;
      bestStart = dayNumbers[i] as number;
    }
  }
  return { count: best, firstDay: bestStart === null ? null : new Date(bestStart * DAY_MS).toISOString().slice(0, 10) };
}

/** Readable instants in failure messages: UTC and the member's local time. */
export function when(at: number, zone: string): string {
  return `${new Date(at).toISOString()} (${DateTime.fromMillis(at, { zone }).toFormat("yyyy-MM-dd HH:mm ZZ")} ${zone})`;
}
