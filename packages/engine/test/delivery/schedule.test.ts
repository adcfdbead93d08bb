import type { ScheduleSpec } from "@patron/dsl";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { compileSchedule, cronExpressions, ScheduleError, type Schedule } from "../../src/runs/schedule.js";
import { instant } from "../support/store.js";
import { scheduleOf, ZONE } from "./support.js";

/*
 * Schedules: the cron expressions each `schedule …` form of campaigns/*.campaign stands for, and
 * the slots they give (latest at or before an instant, next strictly after) in the business zone,
 * across daylight-saving changes in America/New_York. Every instant below is worked out by hand
 * from the calendar (2026-12-05 is a Saturday, 2026-03-08 and 2026-11-01 are the US DST Sundays).
 */

const NY = "America/New_York";
const sh = (local: string): number => instant(local, ZONE);
const ny = (local: string): number => instant(local, NY);
const utc = (iso: string): number => instant(iso, "UTC");
const compiled = (schedule: string, zone = ZONE): Schedule => compileSchedule(scheduleOf(schedule), zone);

/** The slots of a schedule in [from, to], newest first, walked with latestSlot alone. */
function slotsBetween(schedule: Schedule, from: number, to: number): number[] {
  const slots: number[] = [];
  for (let slot = schedule.latestSlot(to); slot !== undefined && slot >= from; slot = schedule.latestSlot(slot - 1)) slots.push(slot);
  return slots;
}

describe("cronExpressions", () => {
  it.each([
    // every form used in campaigns/*.campaign
    ["every day at 09:00", ["0 9 * * *"]],
    ["every day at 09:30", ["30 9 * * *"]],
    ["every friday at 12:00", ["0 12 * * 5"]],
    ["every thursday at 19:30", ["30 19 * * 4"]],
    ["every monday at 10:00", ["0 10 * * 1"]],
    ["every tuesday at 10:30", ["30 10 * * 2"]],
    ["every monday, thursday at 10:00", ["0 10 * * 1,4"]],
    ["every wednesday, saturday at 10:00", ["0 10 * * 3,6"]],
    ["every month on day 15 at 10:00", ["0 10 15 * *"]],
    ["every month on day 1 at 10:00", ["0 10 1 * *"]],
    ["every 2 hours", ["0 */2 * * *"]],
    ['cron "0 10 * * 1,4"', ["0 10 * * 1,4"]],
    // the other forms the grammar allows
    ["every weekday at 08:00", ["0 8 * * 1-5"]],
    ["every weekend at 11:00", ["0 11 * * 0,6"]],
    ["every Monday at 10:00", ["0 10 * * 1"]],
    ["every day at 09:00 and 18:00", ["0 9 * * *", "0 18 * * *"]],
    ["every day at 09:00, 13:30, 18:00", ["0 9 * * *", "30 13 * * *", "0 18 * * *"]],
    ["every saturday at 09:00 and 15:00", ["0 9 * * 6", "0 15 * * 6"]],
    ["every hour", ["0 * * * *"]],
    ["every day", ["0 0 * * *"]],
    ["every 3 days at 09:00", ["0 9 */3 * *"]],
    ["every week at 10:00", ["0 10 * * 1"]],
    ["every month at 10:00", ["0 10 1 * *"]],
    ["every 2 months on day 5 at 08:00", ["0 8 5 */2 *"]],
    ['cron "  30   9 * *  1-5 "', ["30 9 * * 1-5"]],
  ])("%s → %j", (schedule, expected) => {
    expect(cronExpressions(scheduleOf(schedule).spec)).toEqual(expected);
  });

  it("refuses what cron cannot say, with the way out", () => {
    // `every year` does not pass the checker; the engine still answers it if handed one.
    const yearly = { kind: "every", unit: "year", weekdays: [], times: [] } as unknown as ScheduleSpec;
    for (const [spec, help] of [
      [scheduleOf("every 2 weeks at 10:00").spec, /every monday at 10:00/],
      [yearly, /cron expression/],
    ] as const) {
      let error: unknown;
      try {
        cronExpressions(spec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScheduleError);
      expect((error as ScheduleError).help).toMatch(help);
    }
  });
});

describe("compileSchedule", () => {
  it("accepts a ScheduleNode or its spec and keeps the expressions", () => {
    const node = scheduleOf("every day at 09:00 and 18:00");
    expect(compileSchedule(node, ZONE).expressions).toEqual(["0 9 * * *", "0 18 * * *"]);
    expect(compileSchedule(node.spec, ZONE).expressions).toEqual(["0 9 * * *", "0 18 * * *"]);
  });

  it("rejects a cron expression the checker lets through but cron cannot read", () => {
    // The checker only looks at the characters of each field; minute 61 is caught here.
    expect(() => compiled('cron "61 9 * * *"')).toThrow(ScheduleError);
    expect(() => compiled('cron "61 9 * * *"')).toThrow(/"61 9 \* \* \*" is not a cron expression/);
    expect(() => compiled('cron "0 0 30 2 *"')).toThrow(ScheduleError); // 30 February never comes
  });

  it("rejects a hand-made cron spec that does not have five fields", () => {
    const spec = { kind: "cron", expression: { kind: "Name", value: "0 0 9 * * *" } } as unknown as ScheduleSpec;
    expect(() => compileSchedule(spec, ZONE)).toThrow(/does not have five fields/);
  });
});

describe("latestSlot and nextSlot in Asia/Shanghai", () => {
  it("every day at 09:30: a slot exactly at `at` counts, 1 ms before it does not", () => {
    const s = compiled("every day at 09:30");
    const slot = sh("2026-12-05T09:30");
    expect(slot).toBe(utc("2026-12-05T01:30Z"));
    expect(s.latestSlot(slot)).toBe(slot);
    expect(s.latestSlot(slot - 1)).toBe(sh("2026-12-04T09:30"));
    expect(s.latestSlot(slot + 1)).toBe(slot);
    expect(s.latestSlot(sh("2026-12-06T09:29:59.999"))).toBe(slot);
    expect(s.nextSlot(slot)).toBe(sh("2026-12-06T09:30"));
    expect(s.nextSlot(slot - 1)).toBe(slot);
  });

  it("the zone decides the instants: every day at 09:30 in UTC", () => {
    const s = compiled("every day at 09:30", "UTC");
    expect(s.latestSlot(sh("2026-12-05T09:30"))).toBe(utc("2026-12-04T09:30Z"));
    expect(s.nextSlot(sh("2026-12-05T09:30"))).toBe(utc("2026-12-05T09:30Z"));
  });

  it("every monday, thursday at 10:00 and its cron form give the same slots", () => {
    for (const s of [compiled("every monday, thursday at 10:00"), compiled('cron "0 10 * * 1,4"')]) {
      expect(s.latestSlot(sh("2026-12-09T12:00"))).toBe(sh("2026-12-07T10:00")); // Wednesday → Monday
      expect(s.latestSlot(sh("2026-12-10T10:00"))).toBe(sh("2026-12-10T10:00")); // Thursday, exactly
      expect(s.latestSlot(sh("2026-12-10T10:00") - 1)).toBe(sh("2026-12-07T10:00"));
      expect(s.latestSlot(sh("2026-12-07T09:00"))).toBe(sh("2026-12-03T10:00")); // Monday morning → last Thursday
      expect(s.nextSlot(sh("2026-12-07T10:00"))).toBe(sh("2026-12-10T10:00"));
      expect(s.nextSlot(sh("2026-12-10T10:00"))).toBe(sh("2026-12-14T10:00"));
    }
  });

  it("every month on day 15 at 10:00", () => {
    const s = compiled("every month on day 15 at 10:00");
    expect(s.latestSlot(sh("2026-12-15T10:00") - 1)).toBe(sh("2026-11-15T10:00"));
    expect(s.latestSlot(sh("2026-12-15T10:00"))).toBe(sh("2026-12-15T10:00"));
    expect(s.latestSlot(sh("2026-12-31T23:59"))).toBe(sh("2026-12-15T10:00"));
    expect(s.nextSlot(sh("2026-12-15T10:00"))).toBe(sh("2027-01-15T10:00"));
  });

  it("every 2 hours: on even hours from midnight", () => {
    const s = compiled("every 2 hours");
    expect(s.latestSlot(sh("2026-12-05T14:00") - 1)).toBe(sh("2026-12-05T12:00"));
    expect(s.latestSlot(sh("2026-12-05T14:00"))).toBe(sh("2026-12-05T14:00"));
    expect(s.latestSlot(sh("2026-12-05T00:30"))).toBe(sh("2026-12-05T00:00"));
    expect(s.latestSlot(sh("2026-12-05T00:00") - 1)).toBe(sh("2026-12-04T22:00"));
    expect(s.nextSlot(sh("2026-12-05T23:00"))).toBe(sh("2026-12-06T00:00"));
    expect(slotsBetween(s, sh("2026-12-05T00:00"), sh("2026-12-05T23:59"))).toHaveLength(12);
  });

  it("every weekday at 08:00 skips the weekend; every weekend at 11:00 skips the week", () => {
    const weekday = compiled("every weekday at 08:00");
    expect(weekday.latestSlot(sh("2026-12-05T12:00"))).toBe(sh("2026-12-04T08:00")); // Saturday → Friday
    expect(weekday.latestSlot(sh("2026-12-07T07:59"))).toBe(sh("2026-12-04T08:00")); // Monday early → Friday
    expect(weekday.nextSlot(sh("2026-12-04T08:00"))).toBe(sh("2026-12-07T08:00"));
    const weekend = compiled("every weekend at 11:00");
    expect(weekend.latestSlot(sh("2026-12-07T12:00"))).toBe(sh("2026-12-06T11:00")); // Monday → Sunday
    expect(weekend.latestSlot(sh("2026-12-05T11:00"))).toBe(sh("2026-12-05T11:00"));
    expect(weekend.nextSlot(sh("2026-12-06T11:00"))).toBe(sh("2026-12-12T11:00"));
  });

  it("several times of day: the latest of them", () => {
    const s = compiled("every day at 09:00 and 18:00");
    expect(s.latestSlot(sh("2026-12-05T09:00") - 1)).toBe(sh("2026-12-04T18:00"));
    expect(s.latestSlot(sh("2026-12-05T09:00"))).toBe(sh("2026-12-05T09:00"));
    expect(s.latestSlot(sh("2026-12-05T18:00") - 1)).toBe(sh("2026-12-05T09:00"));
    expect(s.latestSlot(sh("2026-12-05T18:00"))).toBe(sh("2026-12-05T18:00"));
    expect(s.nextSlot(sh("2026-12-05T09:00"))).toBe(sh("2026-12-05T18:00"));
    expect(s.nextSlot(sh("2026-12-05T18:00"))).toBe(sh("2026-12-06T09:00"));
    const three = compiled("every day at 09:00, 13:30, 18:00");
    expect(slotsBetween(three, sh("2026-12-05T00:00"), sh("2026-12-05T23:59"))).toEqual([
      sh("2026-12-05T18:00"),
      sh("2026-12-05T13:30"),
      sh("2026-12-05T09:00"),
    ]);
  });

  it("every 3 days at 09:00: days 1, 4, 7, … of each month", () => {
    const s = compiled("every 3 days at 09:00");
    expect(s.latestSlot(sh("2026-12-05T12:00"))).toBe(sh("2026-12-04T09:00"));
    // November has 30 days: …, 25, 28, then 1 December.
    expect(s.latestSlot(sh("2026-12-01T08:00"))).toBe(sh("2026-11-28T09:00"));
    expect(s.nextSlot(sh("2026-11-28T09:00"))).toBe(sh("2026-12-01T09:00"));
  });
});

describe("latestSlot and nextSlot in America/New_York across daylight saving", () => {
  it("every day at 09:00 stays at 09:00 local when the offset changes (spring forward, 8 March 2026)", () => {
    const s = compiled("every day at 09:00", NY);
    expect(s.latestSlot(ny("2026-03-08T09:00"))).toBe(utc("2026-03-08T13:00Z")); // EDT, UTC-4
    expect(s.latestSlot(utc("2026-03-08T13:00Z") - 1)).toBe(utc("2026-03-07T14:00Z")); // EST, UTC-5
    expect(s.nextSlot(utc("2026-03-07T14:00Z"))).toBe(utc("2026-03-08T13:00Z")); // a 23-hour day
  });

  it("every day at 09:00 stays at 09:00 local when the offset changes (fall back, 1 November 2026)", () => {
    const s = compiled("every day at 09:00", NY);
    expect(s.latestSlot(ny("2026-11-01T09:00"))).toBe(utc("2026-11-01T14:00Z")); // EST
    expect(s.latestSlot(utc("2026-11-01T14:00Z") - 1)).toBe(utc("2026-10-31T13:00Z")); // EDT
    expect(s.nextSlot(utc("2026-10-31T13:00Z"))).toBe(utc("2026-11-01T14:00Z")); // a 25-hour day
  });

  /** Local dates (in NY) of the slots in a range, oldest first. */
  const localDates = (slots: number[]): string[] => slots.map((t) => DateTime.fromMillis(t, { zone: NY }).toISODate() ?? "").reverse();

  it("a daily time inside the skipped hour still runs once on the spring-forward day", () => {
    // 02:30 does not exist on 8 March 2026 (02:00 EST → 03:00 EDT). A daily campaign must not lose
    // that day: it runs once, in the hour after the change (03:00–04:00 EDT, like cron does).
    const s = compiled("every day at 02:30", NY);
    const slots = slotsBetween(s, ny("2026-03-07T00:00"), ny("2026-03-09T23:59"));
    expect(localDates(slots)).toEqual(["2026-03-07", "2026-03-08", "2026-03-09"]);
    const onTheDay = slots.find((t) => DateTime.fromMillis(t, { zone: NY }).toISODate() === "2026-03-08") ?? 0;
    expect(onTheDay).toBeGreaterThanOrEqual(utc("2026-03-08T07:00Z")); // 03:00 EDT
    expect(onTheDay).toBeLessThan(utc("2026-03-08T08:00Z")); // 04:00 EDT
  });

  it("a daily time inside the repeated hour runs once on the fall-back day, not twice", () => {
    // 01:30 happens twice on 1 November 2026 (05:30Z in EDT, 06:30Z in EST): one slot, the first.
    const s = compiled("every day at 01:30", NY);
    const slots = slotsBetween(s, ny("2026-10-31T00:00"), ny("2026-11-02T23:59"));
    expect(localDates(slots)).toEqual(["2026-10-31", "2026-11-01", "2026-11-02"]);
    expect(slots).toContain(utc("2026-11-01T05:30Z"));
  });
});
