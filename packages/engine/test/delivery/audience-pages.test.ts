import { describe, expect, it } from "vitest";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import { openPages, writeAudience } from "../../src/plan/members.js";
import { addMember, memoryStore } from "../support/store.js";
import { AS_OF } from "./support.js";

/*
 * A page reads its members' opt-outs in one range scan of opt_out_current (members.ts): every
 * member, first or last of a page or between, must carry exactly the channels they opted out
 * of — and members outside the audience, inside a page's range of ids, must not lend theirs.
 * Members are found by rowid, checked by id.
 */

describe("audience pages", () => {
  it("give each member their own opt-outs, at the edges of pages and between", () => {
    const db = memoryStore();
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const id of ids)
      addMember(db, { id, phone: `1380000000${id.slice(1)}`, consent_sms: true, email: `${id}@example.com`, consent_email: true });
    const optOuts: Record<string, readonly ("sms" | "email")[]> = {
      m0: ["sms"], // first of page 0
      m2: ["email", "sms"], // last of page 0 (pages of 3)
      m3: ["email"], // first of page 1
      m4: ["sms"], // not in the audience, inside page 1's range of ids
      m9: ["sms"], // last of the last page
    };
    for (const [memberId, channels] of Object.entries(optOuts))
      for (const channel of channels) recordOptOut(db, { memberId, channel, action: "opt-out", source: "operator", at: AS_OF - 1000 });
    // An opt-out withdrawn is no opt-out.
    recordOptOut(db, { memberId: "m5", channel: "sms", action: "opt-out", source: "operator", at: AS_OF - 2000 });
    recordOptOut(db, { memberId: "m5", channel: "sms", action: "opt-in", source: "operator", at: AS_OF - 1000 });

    const options = { asOf: AS_OF, expiring: false, channels: ["sms", "email"], pageSize: 3 } as const;
    const audience = writeAudience(
      db,
      { sql: "SELECT id, rowid FROM members WHERE id <> 'm4' ORDER BY id", params: [] },
      { ...options, shared: false },
    );
    const pages = openPages(db, audience, options);
    const seen: Record<string, { sms: boolean; email: boolean }> = {};
    const pageOf: string[][] = [];
    for (let k = 0; k < audience.pages; k++) {
      const members = pages.page(k);
      pageOf.push(members.map((m) => m.id));
      for (const m of members) seen[m.id] = { sms: m.reach.sms?.optedOut ?? false, email: m.reach.email?.optedOut ?? false };
    }
    pages.close();
    audience.close();

    expect(pageOf).toEqual([
      ["m0", "m1", "m2"],
      ["m3", "m5", "m6"],
      ["m7", "m8", "m9"],
    ]);
    const expected = Object.fromEntries(
      ids
        .filter((id) => id !== "m4")
        .map((id) => [id, { sms: optOuts[id]?.includes("sms") ?? false, email: optOuts[id]?.includes("email") ?? false }]),
    );
    expect(seen).toEqual(expected);
  });

  it("find members by rowid, and not a member who took the rowid of one deleted since", () => {
    const db = memoryStore();
    for (const id of ["m1", "m2", "m3"]) addMember(db, { id, name: `name of ${id}`, phone: `1380000000${id.slice(1)}`, consent_sms: true });
    const options = { asOf: AS_OF, expiring: false, channels: ["sms"] } as const;
    const audience = writeAudience(db, { sql: "SELECT id, rowid FROM members ORDER BY id", params: [] }, { ...options, shared: false });
    // m3 had the greatest rowid: deleted, a new member is given it.
    const rowidOf = (id: string) => db.prepare("SELECT rowid FROM members WHERE id = ?").pluck().get(id);
    const m3 = rowidOf("m3");
    db.prepare("DELETE FROM members WHERE id = 'm3'").run();
    addMember(db, { id: "m4", name: "name of m4" });
    expect(rowidOf("m4")).toBe(m3);
    const pages = openPages(db, audience, options);
    expect(pages.page(0).map((m) => [m.id, m.name])).toEqual([
      ["m1", "name of m1"],
      ["m2", "name of m2"],
    ]);
    pages.close();
    audience.close();
  });
});
