import { describe, expect, it } from "vitest";
import type { CampaignDefinition } from "@patron/dsl";
import { compileGoal, goalText, goalWindow } from "../../src/report/goal.js";
import type { Db } from "../../src/store/store.js";
import { checkCampaign, ENGINE_TEST_ENV } from "../support/campaigns.js";
import { addMember, addPurchase, memoryStore } from "../support/store.js";
import { at, ZONE } from "./fixture.js";

// The goal rule: each purchase test counts the purchases in (run as-of, run as-of + its window],
// cut at the report's as-of while the window is open. Members and purchases are written so that
// each one lies just inside or just outside a bound.

const MS = 1;

function goalCampaign(goal: string): CampaignDefinition {
  return checkCampaign(`campaign "g" {\n  when tier >= gold, send message "welcome" via sms\n  goal ${goal}\n}\n`).campaign;
}

/** The members (of all in the store) the goal counts as converted for a run at runAsOf. */
function converted(db: Db, goal: string, runAsOf: number, reportAsOf: number): string[] {
  const campaign = goalCampaign(goal);
  if (!campaign.goal) throw new Error("no goal");
  const compiled = compileGoal(campaign.goal, runAsOf, reportAsOf, {
    env: ENGINE_TEST_ENV,
    segments: new Map(),
    businessZone: ZONE,
    zones: [],
  });
  return db
    .prepare<unknown[], string>(`SELECT m.id FROM members AS m WHERE ${compiled.sql} ORDER BY m.id`)
    .pluck()
    .all(...compiled.params);
}

function store(purchases: readonly { id: string; at: number; brand?: string; amount?: number; quantity?: number }[]): Db {
  const db = memoryStore();
  const ids = new Set(purchases.map((p) => p.id));
  for (const id of ids) addMember(db, { id });
  purchases.forEach((p, i) =>
    addPurchase(db, {
      member_id: p.id,
      order_id: `o${i}`,
      purchased_at: p.at,
      brand: p.brand ?? "A",
      ...(p.amount === undefined ? {} : { amount: p.amount }),
      ...(p.quantity === undefined ? {} : { quantity: p.quantity }),
    }),
  );
  return db;
}

describe("goal windows", () => {
  const RUN = at("2027-01-31T09:30");
  // One calendar month after 31 January is 28 February (luxon clamps), 09:30 in Shanghai.
  const END = at("2027-02-28T09:30");
  const LATER = at("2027-03-31T00:00");

  it("counts (run as-of, run as-of + 1 month] exactly, to the millisecond", () => {
    const db = store([
      { id: "at-run", at: RUN },
      { id: "just-after-run", at: RUN + MS },
      { id: "at-end", at: END },
      { id: "just-after-end", at: END + MS },
      // Inside (END − 1 month, END] = (28 Jan, 28 Feb]: an audience query at as-of END would count it.
      { id: "before-run", at: at("2027-01-29T12:00") },
    ]);
    expect(converted(db, "bought brand A within 1 month", RUN, LATER)).toEqual(["at-end", "just-after-run"]);
    const campaign = goalCampaign("bought brand A within 1 month");
    expect(goalWindow(campaign.goal as NonNullable<CampaignDefinition["goal"]>, RUN, LATER, ZONE)).toEqual({
      from: RUN,
      end: END,
      until: END,
    });
  });

  it("cuts an open window at the report's as-of", () => {
    const reportAsOf = at("2027-02-10T00:00");
    const db = store([
      { id: "before-report", at: reportAsOf },
      { id: "after-report", at: reportAsOf + MS },
    ]);
    expect(converted(db, "bought brand A within 1 month", RUN, reportAsOf)).toEqual(["before-report"]);
    const campaign = goalCampaign("bought brand A within 1 month");
    expect(goalWindow(campaign.goal as NonNullable<CampaignDefinition["goal"]>, RUN, reportAsOf, ZONE)).toEqual({
      from: RUN,
      end: END,
      until: reportAsOf,
    });
  });

  it("measures each test of a goal over its own window; the goal closes with the longest", () => {
    const day = 86_400_000;
    const db = store([
      { id: "a-day-6", at: RUN + 6 * day, amount: 50 },
      { id: "a-day-8-small", at: RUN + 8 * day, amount: 100 },
      { id: "a-day-8-big", at: RUN + 8 * day, amount: 250 },
      { id: "b-day-20-big", at: RUN + 20 * day, brand: "B", amount: 300 },
      { id: "b-day-31-big", at: RUN + 31 * day, brand: "B", amount: 300 },
    ]);
    const goal = "bought brand A within 7 days or spent at least 200 within 30 days";
    expect(converted(db, goal, RUN, LATER)).toEqual(["a-day-6", "a-day-8-big", "b-day-20-big"]);
    const campaign = goalCampaign(goal);
    expect(goalWindow(campaign.goal as NonNullable<CampaignDefinition["goal"]>, RUN, LATER, ZONE).end).toBe(RUN + 30 * day);
  });

  it("applies not, counts and returns as the language does", () => {
    const hour = 3_600_000;
    const db = store([
      { id: "a-only", at: RUN + hour },
      { id: "a-and-b", at: RUN + hour },
      { id: "a-and-b", at: RUN + 2 * hour, brand: "B" },
      { id: "a-twice", at: RUN + hour },
      { id: "a-twice", at: RUN + 2 * hour },
      { id: "a-returned", at: RUN + hour, quantity: -1 },
    ]);
    expect(converted(db, "bought brand A within 14 days and not bought brand B within 14 days", RUN, LATER)).toEqual(["a-only", "a-twice"]);
    expect(converted(db, "bought brand A at least 2 times within 14 days", RUN, LATER)).toEqual(["a-twice"]);
  });

  it("counts nothing before any time has passed", () => {
    const db = store([{ id: "at-run", at: RUN }]);
    expect(converted(db, "bought brand A within 14 days", RUN, RUN)).toEqual([]);
    expect(converted(db, "not bought brand A within 14 days", RUN, RUN)).toEqual(["at-run"]);
  });

  it("gives the goal as written, on one line", () => {
    const campaign = checkCampaign(
      `campaign "g" {\n  when tier >= gold, send message "welcome" via sms\n  goal bought brand "Head & Shoulders" within 14 days\n    or spent at least 100 within 30 days\n}\n`,
    ).campaign;
    expect(goalText(campaign)).toBe('bought brand "Head & Shoulders" within 14 days or spent at least 100 within 30 days');
  });
});
