/*
 * WeChat's daily API quotas reset at midnight Beijing time. These helpers find that instant with
 * Intl alone (the channels package carries no date library): the zone's wall-clock date now, then
 * the UTC instant whose wall clock in the zone reads 00:00 the day after.
 */

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a time zone the runtime does not know. */
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, format);
  }
  return format;
}

export function assertTimeZone(timeZone: string): void {
  formatFor(timeZone);
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts["year"] ?? 0,
    month: parts["month"] ?? 1,
    day: parts["day"] ?? 1,
    hour: parts["hour"] ?? 0,
    minute: parts["minute"] ?? 0,
    second: parts["second"] ?? 0,
  };
}

/** How far the zone's wall clock is ahead of UTC at this instant (ms). */
function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The first midnight in `timeZone` after `epochMs`. The offset is looked up twice because the
 * offset at midnight may differ from the offset now (a daylight-saving change in between).
 */
export function nextMidnight(epochMs: number, timeZone: string): number {
  const today = wallClock(epochMs, timeZone);
  const midnightAsUtc = Date.UTC(today.year, today.month - 1, today.day + 1);
  const guess = midnightAsUtc - offsetAt(epochMs, timeZone);
  return midnightAsUtc - offsetAt(guess, timeZone);
}

/** "2026-11-23 00:00" in the zone, for messages. */
export function formatWallClock(epochMs: number, timeZone: string): string {
  const w = wallClock(epochMs, timeZone);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}`;
}
