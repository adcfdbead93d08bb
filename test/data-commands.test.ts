import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The data commands end to end, through the built binary: import → audience → explain, and the
// demo data generator against the example business in campaigns/.
const root = join(import.meta.dirname, "..");
const bin = join(root, "packages/cli/bin/patron.js");
const AS_OF = "2026-11-22T09:30:00+08:00";

function patron(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function miniRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-data-"));
  cpSync(join(import.meta.dirname, "fixtures/mini"), dir, { recursive: true });
  cpSync(join(import.meta.dirname, "fixtures/mini-data"), dir, { recursive: true });
  return dir;
}

describe("patron import → audience → explain", () => {
  it("imports, reports rejected rows with line and reason, and selects the right members", () => {
    const dir = miniRepo();
    const members = patron(["import", "members", "members.csv", "--format", "json"], dir);
    expect(members.code).toBe(0);
    expect(JSON.parse(members.stdout)).toMatchObject({ read: 4, inserted: 4, rejected: 0 });

    const purchases = patron(["import", "purchases", "purchases.csv", "--format", "json"], dir);
    expect(purchases.code).toBe(0);
    const summary = JSON.parse(purchases.stdout) as {
      read: number;
      inserted: number;
      rejected: number;
      rejects: { line: number; reason: string }[];
    };
    expect(summary).toMatchObject({ read: 6, inserted: 4, rejected: 2 });
    expect(summary.rejects.map((r) => r.line)).toEqual([6, 7]);
    expect(readFileSync(join(dir, "purchases.rejects.csv"), "utf8")).toContain("m9");

    // Re-importing the same file changes nothing.
    const again = JSON.parse(patron(["import", "purchases", "purchases.csv", "--format", "json"], dir).stdout) as {
      inserted: number;
      updated: number;
    };
    expect(again).toMatchObject({ inserted: 0, updated: 0 });

    // cross-sell: bought brand A within 30 days and tier >= gold → m1 only (m2 is silver, m3 bought too long ago).
    const audience = patron(["audience", "cross-sell.campaign", "--as-of", AS_OF, "--format", "json"], dir);
    expect(audience.code).toBe(0);
    expect(JSON.parse(audience.stdout)).toEqual({ campaign: "cross-sell", asOf: AS_OF, count: 1, members: ["m1"] });

    const explained = patron(["explain", "cross-sell.campaign", "--member", "m2", "--as-of", AS_OF], dir);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain("not selected");
    expect(explained.stdout).toMatch(/✗ tier >= gold/);

    // Replaying an earlier day: data after the as-of instant does not exist. On 1 October only m3
    // (platinum, bought A on 1 September at noon, inside the 30 days before) was selected.
    const earlier = JSON.parse(patron(["audience", "cross-sell.campaign", "--as-of", "2026-10-01", "--format", "json"], dir).stdout) as {
      members: string[];
    };
    expect(earlier.members).toEqual(["m3"]);
  });

  it("says what to do when there is no data yet, and when --as-of is not a date", () => {
    const dir = miniRepo();
    const none = patron(["audience", "cross-sell.campaign"], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no member data at");
    const bad = patron(["audience", "cross-sell.campaign", "--as-of", "yesterday"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--as-of "yesterday" is not a date-time');
  });

  it("refuses a campaign file with errors, showing them", () => {
    const dir = miniRepo();
    patron(["import", "members", "members.csv"], dir);
    const r = patron(["audience", "shared.segments"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds no campaign");
  });
});

describe("patron demo-data", () => {
  it("fills a database the example campaigns can run against, the same for the same seed", () => {
    const dir = mkdtempSync(join(tmpdir(), "patron-demo-"));
    cpSync(join(root, "campaigns"), dir, { recursive: true });
    const run = (db: string): unknown => {
      const made = patron(["demo-data", "--members", "1500", "--seed", "7", "--db", db, "--as-of", AS_OF, "--format", "json"], dir);
      expect(made.code).toBe(0);
      const r = patron(["audience", "winback-lapsed-vip.campaign", "--db", db, "--as-of", AS_OF, "--format", "json"], dir);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout);
    };
    const first = run("a.db") as { count: number; members: string[] };
    expect(first.count).toBeGreaterThan(0);
    expect(first.members).toEqual([...first.members].sort());
    expect(run("b.db")).toEqual(first);
    expect(existsSync(join(dir, "a.db"))).toBe(true);
    const again = patron(["demo-data", "--members", "10", "--db", "a.db"], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--replace");
  });
});
