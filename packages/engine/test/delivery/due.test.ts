import { describe, expect, it } from "vitest";
import { chooseSlot, nextSlotOf } from "../../src/runs/due.js";
import { instant, memoryStore } from "../support/store.js";
import { addReachable, campaign, planSlot, ZONE } from "./support.js";

/*
 * Which slot a campaign runs for at an instant: its active dates (business calendar days, both
 * included), the latest scheduled slot, a day for campaigns run by hand, and `due` skipping slots
 * that have run. Instants are Shanghai local times (2026-12-05 is a Saturday).
 */

const sh = (local: string): number => instant(local, ZONE);

const SERUM = campaign(`campaign "serum" {
  schedule every day at 10:00
  active from 2026-12-01 until 2026-12-31
  when tier >= gold, send message "welcome" via sms
}
`);
const BY_HAND = campaign('campaign "by-hand" {\n  when tier >= gold, send message "welcome" via sms\n}\n');
const HOURLY = campaign('campaign "hourly" {\n  schedule every 2 hours\n  when tier >= gold, send message "welcome" via sms\n}\n');

describe("chooseSlot", () => {
  it("the latest scheduled slot inside the active dates", () => {
    const db = memoryStore();
    expect(chooseSlot(db, SERUM, sh("2026-12-05T10:00"), ZONE, false)).toEqual({
      run: true,
      slot: sh("2026-12-05T10:00"),
      scheduled: true,
    });
    expect(chooseSlot(db, SERUM, sh("2026-12-05T09:59"), ZONE, true)).toEqual({ run: true, slot: sh("2026-12-04T10:00"), scheduled: true });
    expect(chooseSlot(db, SERUM, sh("2026-12-31T23:59"), ZONE, true)).toEqual({ run: true, slot: sh("2026-12-31T10:00"), scheduled: true });
  });

  it("nothing outside the active dates, which are business calendar days", () => {
    const db = memoryStore();
    expect(chooseSlot(db, SERUM, sh("2026-11-30T23:59"), ZONE, false)).toEqual({ run: false, reason: "not active until 2026-12-01" });
    expect(chooseSlot(db, SERUM, sh("2027-01-01T00:00"), ZONE, false)).toEqual({ run: false, reason: "not active since 2026-12-31" });
  });

  it("a slot from before the active dates is not run on the first active day", () => {
    // At 02:00 on 1 December the latest slot is 30 November 10:00, a day the campaign was not active:
    // running it would send on 1 December for a day outside the campaign, and again at 10:00.
    const choice = chooseSlot(memoryStore(), SERUM, sh("2026-12-01T02:00"), ZONE, true);
    expect(choice).toEqual({ run: false, reason: expect.any(String) });
  });

  it("due skips a slot that has run; run by name plans it again (which adds nothing)", () => {
    const db = memoryStore();
    addReachable(db, { sms: 1 });
    planSlot(db, SERUM, sh("2026-12-05T10:00"));
    expect(chooseSlot(db, SERUM, sh("2026-12-05T12:00"), ZONE, true)).toEqual({ run: false, reason: "its latest slot has run already" });
    expect(chooseSlot(db, SERUM, sh("2026-12-05T12:00"), ZONE, false)).toEqual({
      run: true,
      slot: sh("2026-12-05T10:00"),
      scheduled: true,
    });
    expect(chooseSlot(db, SERUM, sh("2026-12-06T10:00"), ZONE, true)).toEqual({ run: true, slot: sh("2026-12-06T10:00"), scheduled: true });
  });

  it("a campaign without a schedule runs for the business day when named, never when due", () => {
    const db = memoryStore();
    expect(chooseSlot(db, BY_HAND, sh("2026-12-05T23:59"), ZONE, false)).toEqual({
      run: true,
      slot: sh("2026-12-05T00:00"),
      scheduled: false,
    });
    expect(chooseSlot(db, BY_HAND, sh("2026-12-06T00:00"), ZONE, false)).toEqual({
      run: true,
      slot: sh("2026-12-06T00:00"),
      scheduled: false,
    });
    expect(chooseSlot(db, BY_HAND, sh("2026-12-05T12:00"), ZONE, true)).toEqual({ run: false, reason: "has no schedule (run it by name)" });
  });
});

describe("nextSlotOf", () => {
  it("the earliest next slot of the scheduled campaigns", () => {
    expect(nextSlotOf([SERUM, HOURLY, BY_HAND], sh("2026-12-05T09:31"), ZONE)).toBe(sh("2026-12-05T10:00"));
    expect(nextSlotOf([SERUM, HOURLY], sh("2026-12-05T10:00"), ZONE)).toBe(sh("2026-12-05T12:00"));
    expect(nextSlotOf([SERUM], sh("2026-12-05T10:00"), ZONE)).toBe(sh("2026-12-06T10:00"));
    expect(nextSlotOf([BY_HAND], sh("2026-12-05T10:00"), ZONE)).toBeUndefined();
  });
});
