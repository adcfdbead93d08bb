import { describe, expect, it } from "vitest";
import { openPages, writeAudience } from "../../src/plan/members.js";
import { planRun } from "../../src/runs/run.js";
import { STREAMING_CACHE_KIB } from "../../src/store/page-cache.js";
import { addMember, memoryStore } from "../support/store.js";
import { AS_OF, campaign, FILE, planInput, SLOT } from "./support.js";

// Planning pages through an audience with a small page cache (store/page-cache.ts) and gives the
// connection its own size back: the next audience query of the same process has the big one.
describe("the page cache while planning", () => {
  const cacheSize = (db: ReturnType<typeof memoryStore>) => db.pragma("cache_size", { simple: true }) as number;

  it("is small while paging through an audience and restored when the pages are closed", () => {
    const db = memoryStore();
    addMember(db, { id: "m1", phone: "+8613800000001", consent_sms: true });
    const before = cacheSize(db);
    expect(before).toBe(-65536);
    const options = { asOf: AS_OF, expiring: false, channels: ["sms"] } as const;
    const audience = writeAudience(db, { sql: "SELECT id, rowid FROM members", params: [] }, { ...options, shared: false });
    const pages = openPages(db, audience, options);
    expect(cacheSize(db)).toBe(-STREAMING_CACHE_KIB);
    expect(pages.page(0).map((m) => m.id)).toEqual(["m1"]);
    pages.close();
    audience.close();
    expect(cacheSize(db)).toBe(before);
  });

  it("is the connection's own again after a run is planned", () => {
    const db = memoryStore();
    addMember(db, { id: "m1", phone: "+8613800000001", consent_sms: true, tier: "gold" });
    const result = planRun(planInput(db, campaign('when tier >= gold, send message "welcome" via sms')), SLOT, FILE);
    expect(result.funnel.planned.sms).toBe(1);
    expect(cacheSize(db)).toBe(-65536);
  });
});
