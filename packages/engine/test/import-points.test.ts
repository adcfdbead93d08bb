import { describe, expect, it } from "vitest";
import { counts, csv, workspace } from "./fixtures/import/helpers.js";

describe("importing point lots", () => {
  it("imports lots, matches lots that never expire on re-import, and rejects duplicates and impossible expiries", async () => {
    const w = workspace();
    w.file("members.csv", csv("id", "m1", "m2"));
    await w.run("members", "members.csv");
    w.file(
      "points.csv",
      csv(
        "member_id,points,earned_at,expires_at",
        "m1,100,2026-01-01,2026-12-31T23:59:59",
        "m1,50,2026-02-01,",
        "m2,-20,2026-03-01,",
        "m1,50,2026-02-01,",
        "m2,10,2026-03-01,2026-02-01",
        "m9,10,2026-03-01,",
        "m2,,2026-03-01,",
      ),
    );
    const first = await w.run("points", "points.csv", { rejectsShown: 10 });
    expect(counts(first)).toEqual({ read: 7, inserted: 3, updated: 0, unchanged: 0, merged: 0, rejected: 4 });
    expect(first.rejects.map((r) => `line ${r.line}: ${r.reason}`)).toEqual([
      'line 5: the same lot (member "m1", 50 points, same earned_at and expires_at) is on line 3',
      "line 6: expires_at 2026-01-31T16:00:00.000Z is not after earned_at 2026-02-28T16:00:00.000Z",
      'line 7: unknown member "m9" (member_id); import members first, or use --create-members',
      "line 8: points is empty: a number is required",
    ]);
    expect(w.all("SELECT member_id, points, earned_at, expires_at, source FROM point_lots ORDER BY member_id, earned_at")).toEqual([
      {
        member_id: "m1",
        points: 100,
        earned_at: Date.parse("2025-12-31T16:00:00Z"),
        expires_at: Date.parse("2026-12-31T15:59:59Z"),
        source: "import",
      },
      { member_id: "m1", points: 50, earned_at: Date.parse("2026-01-31T16:00:00Z"), expires_at: null, source: "import" },
      { member_id: "m2", points: -20, earned_at: Date.parse("2026-02-28T16:00:00Z"), expires_at: null, source: "import" },
    ]);
    const second = await w.run("points", "points.csv");
    expect(counts(second)).toEqual({ read: 7, inserted: 0, updated: 0, unchanged: 3, merged: 0, rejected: 4 });
    expect(w.all("SELECT count(*) AS n FROM point_lots")).toEqual([{ n: 3 }]);
  });
});
