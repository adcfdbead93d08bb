import type { CampaignDefinition } from "@patron/dsl";
import { localDate, startOfDate } from "../time/local-dates.js";
import type { Db } from "../store/store.js";
import { findRun } from "./run.js";
import { compileSchedule } from "./schedule.js";

/** Which slot a campaign runs for at `asOf`, or why it does not run. */
export type SlotChoice =
  { readonly run: true; readonly slot: number; readonly scheduled: boolean } | { readonly run: false; readonly reason: string };

/**
 * The slot of a campaign at `asOf`:
 * - outside its `active from … until …` dates (business calendar days, both included) it does
 *   not run;
 * - with a schedule, the latest scheduled instant at or before asOf: slots missed while nothing
 *   ran are not run one by one — only the latest, once;
 * - without one (run by hand), the business-local day of asOf: running it again the same day
 *   adds nothing.
 * `due` (run --due, the scheduler) also skips campaigns without a schedule and slots that have
 * a run already.
 */
export function chooseSlot(db: Db, campaign: CampaignDefinition, asOf: number, businessZone: string, due: boolean): SlotChoice {
  const today = localDate(asOf, businessZone);
  const active = campaign.active;
  if (active?.from && today < active.from.value) return { run: false, reason: `not active until ${active.from.value}` };
  if (active?.until && today > active.until.value) return { run: false, reason: `not active since ${active.until.value}` };
  if (!campaign.schedule) {
    if (due) return { run: false, reason: "has no schedule (run it by name)" };
    return { run: true, slot: startOfDate(today, businessZone), scheduled: false };
  }
  const slot = compileSchedule(campaign.schedule, businessZone).latestSlot(asOf);
  if (slot === undefined) return { run: false, reason: "its schedule has not fired yet" };
  // The slot's own date decides: at 02:00 on the first active day, yesterday's slot is not run.
  const slotDate = localDate(slot, businessZone);
  if (active?.from && slotDate < active.from.value) return { run: false, reason: `no slot since it became active on ${active.from.value}` };
  if (due && findRun(db, campaign.id, slot)?.state === "planned") return { run: false, reason: "its latest slot has run already" };
  return { run: true, slot, scheduled: true };
}

/** The earliest next slot among the campaigns after `at` (for the scheduler's sleep). */
export function nextSlotOf(campaigns: readonly CampaignDefinition[], at: number, businessZone: string): number | undefined {
  let next: number | undefined;
  for (const c of campaigns) {
    if (!c.schedule) continue;
    const slot = compileSchedule(c.schedule, businessZone).nextSlot(at);
    if (next === undefined || slot < next) next = slot;
  }
  return next;
}
