import { CronExpressionParser } from "cron-parser";
import { DateTime } from "luxon";
import type { ScheduleNode, ScheduleSpec } from "@patron/dsl";

/*
 * A campaign's schedule as cron expressions (cron-parser), read in the business time zone.
 * `every …` schedules are written as the cron expressions they mean:
 *   every day at 09:30            → 30 9 * * *
 *   every monday, thursday at 10:00 → 0 10 * * 1,4   (weekday = 1-5, weekend = 0,6)
 *   every month on day 15 at 10:00 → 0 10 15 * *    (no day: the 1st)
 *   every 2 hours                 → 0 *\/2 * * *      (on the hour, from midnight)
 *   every 3 days at 09:00         → 0 9 *\/3 * *      (days 1, 4, 7, … of each month)
 *   every week at 10:00           → 0 10 * * 1       (Mondays)
 * Several times of day become one expression per time. A slot is an instant at which one of
 * them fires; a run is (campaign, slot).
 */

export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

const DAY_NUMBERS: Readonly<Record<string, string>> = {
  sunday: "0",
  monday: "1",
  tuesday: "2",
  wednesday: "3",
  thursday: "4",
  friday: "5",
  saturday: "6",
  weekday: "1-5",
  weekend: "0,6",
};

/** The cron expressions (five fields) a schedule stands for. */
export function cronExpressions(spec: ScheduleSpec): string[] {
  if (spec.kind === "cron") return [spec.expression.value.trim().split(/\s+/).join(" ")];
  const interval = spec.interval?.value ?? 1;
  const times = spec.times.length > 0 ? spec.times : [{ hour: 0, minute: 0 }];
  const days = spec.weekdays.map((d) => {
    const n = DAY_NUMBERS[d.value.toLowerCase()];
    if (n === undefined) throw new ScheduleError(`"${d.value}" is not a day of the week`, "days: monday … sunday, weekday, weekend");
    return n;
  });
  const dow = days.length > 0 ? days.join(",") : "*";
  const step = (n: number, all: string): string => (n === 1 ? all : `*/${n}`);
  switch (spec.unit) {
    case "hour":
      return [`0 ${step(interval, "*")} * * ${dow}`];
    case "week":
      if (interval !== 1)
        throw new ScheduleError(`every ${interval} weeks cannot be scheduled`, "write every monday at 10:00, or a cron expression");
      return times.map((t) => `${t.minute} ${t.hour} * * ${days.length > 0 ? dow : "1"}`);
    case "month":
      return times.map((t) => `${t.minute} ${t.hour} ${spec.monthDay?.value ?? 1} ${step(interval, "*")} *`);
    case "year":
      throw new ScheduleError("yearly schedules are not supported", 'use a cron expression, for example: cron "0 9 1 1 *"');
    case "day":
    case undefined:
      return times.map((t) => `${t.minute} ${t.hour} ${step(interval, "*")} * ${dow}`);
  }
}

/** A schedule ready to answer "which slot is due": its expressions, validated. */
export interface Schedule {
  readonly expressions: readonly string[];
  /** The latest slot at or before `at` (epoch ms), or undefined when it never fired before. */
  latestSlot(at: number): number | undefined;
  /** The first slot strictly after `at`. */
  nextSlot(at: number): number;
}

/*
 * Daylight saving: cron-parser reads the expressions on the business's wall clock ("UTC" standing
 * for the local calendar without a zone), and each wall-clock slot becomes an instant with luxon.
 * So a daily 02:30 still runs on the spring-forward day (at 03:30, the first moment after the
 * gap), and a 01:30 that happens twice on the fall-back day runs once, at the first.
 */
function wallClock(at: number, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
}

function instantOf(wall: number, zone: string): number {
  const w = DateTime.fromMillis(wall, { zone: "UTC" });
  const dt = DateTime.fromObject({ year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute }, { zone });
  const earlier = dt.minus({ hours: 1 });
  return earlier.day === w.day && earlier.hour === w.hour && earlier.minute === w.minute ? earlier.toMillis() : dt.toMillis();
}

export function compileSchedule(node: ScheduleNode | ScheduleSpec, zone: string): Schedule {
  const spec = "kind" in node && node.kind === "Schedule" ? node.spec : (node as ScheduleSpec);
  const expressions = cronExpressions(spec);
  const parse = (expression: string, wall: number) => {
    try {
      return CronExpressionParser.parse(expression, { currentDate: new Date(wall), tz: "UTC", strict: false });
    } catch (error) {
      throw new ScheduleError(
        `"${expression}" is not a cron expression: ${(error as Error).message}`,
        'cron takes five fields: minute hour day-of-month month day-of-week, for example: cron "30 9 * * *"',
      );
    }
  };
  for (const e of expressions) {
    if (e.split(" ").length !== 5) throw new ScheduleError(`"${e}" does not have five fields`, 'for example: cron "30 9 * * *"');
    parse(e, 0);
  }
  return {
    expressions,
    latestSlot(at) {
      let latest: number | undefined;
      for (const e of expressions) {
        // prev() is strictly before its start: start 1 ms after `at` so a slot exactly at `at` counts.
        const it = parse(e, wallClock(at, zone) + 1);
        for (let tries = 0; tries < 3 && it.hasPrev(); tries++) {
          const slot = instantOf(it.prev().getTime(), zone);
          if (slot > at) continue; // a wall-clock time pushed past `at` by a spring-forward gap
          if (latest === undefined || slot > latest) latest = slot;
          break;
        }
      }
      return latest;
    },
    nextSlot(at) {
      let next = Number.POSITIVE_INFINITY;
      for (const e of expressions) {
        const it = parse(e, wallClock(at, zone));
        for (let tries = 0; tries < 3; tries++) {
          const slot = instantOf(it.next().getTime(), zone);
          if (slot <= at) continue; // the second 01:30 of a fall-back night maps back to the first
          next = Math.min(next, slot);
          break;
        }
      }
      return next;
    },
  };
}
