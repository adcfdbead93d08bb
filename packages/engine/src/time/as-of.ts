import { DateTime } from "luxon";

/**
 * The `--as-of` of every command that reads data: an ISO 8601 date-time. Without an offset it is
 * read in the business time zone; a date alone means its first instant (00:00) there. Returns
 * epoch milliseconds, or a message saying what was expected.
 */
export function parseAsOf(text: string, businessZone: string): { readonly at: number } | { readonly error: string } {
  const trimmed = text.trim();
  const parsed = DateTime.fromISO(trimmed, { zone: businessZone, setZone: true });
  if (!parsed.isValid) {
    return {
      error: `--as-of "${text}" is not a date-time: expected ISO 8601, e.g. 2026-11-22T09:30:00+08:00, 2026-11-22T09:30 (business time zone) or 2026-11-22`,
    };
  }
  return { at: parsed.toMillis() };
}

/** An instant as ISO 8601 in a zone, for output (`"asOf"` in JSON). */
export function formatInstant(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(at).toISOString();
}
