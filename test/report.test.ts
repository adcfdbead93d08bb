import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../packages/engine/src/store/store.js";
import { runReport, type ReportCommandOptions } from "../packages/cli/src/commands/report.js";
import { UsageError } from "../packages/cli/src/project/files.js";
import { BIRTHDAY, SHAMPOO, writeReportFixture } from "../packages/engine/test/report/fixture.js";
import { expectGolden } from "./support/golden.js";
import { captureIo } from "./support/io.js";

// `patron report` through its command function, on the hand-computed fixture of
// packages/engine/test/report/fixture.ts (where every number below is worked out). The goldens
// pin what a reader sees: text, JSON and the HTML file.
const fixture = join(import.meta.dirname, "fixtures/report");
const expected = join(fixture, "expected");
const AS_OF = "2026-12-20T09:30:00+08:00";

/** The redemptions the till reported: four of the fixture's codes in the period, one after it, and a code Patron never issued. */
const REDEMPTIONS = [
  "code,redeemed_at,member_id,order_id",
  "HS-M08,2026-12-06T10:00,m08,T-1",
  "HS-M09,2026-12-07T10:00,m09,T-2",
  "HS-M10,2026-12-18T10:00,,T-3",
  "HS-M22,2026-12-15T10:00,m22,T-4",
  "HS-M23,2026-12-21T10:00,m23,T-5",
  "XX-1234,2026-12-08T10:00,,T-6",
].join("\n");

interface Project {
  readonly dir: string;
  /** Makes paths in output the same on every machine. */
  readonly clean: (text: string) => string;
}

function project(campaigns: { readonly shampoo?: string } = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), "patron-report-"));
  copyFileSync(join(fixture, "project/patron.yaml"), join(dir, "patron.yaml"));
  writeFileSync(join(dir, "shampoo-cross-sell.campaign"), campaigns.shampoo ?? SHAMPOO);
  writeFileSync(join(dir, "birthday-care.campaign"), BIRTHDAY);
  writeFileSync(join(dir, "redemptions.csv"), REDEMPTIONS);
  const db = openStore(join(dir, "patron.db"));
  writeReportFixture(db);
  db.close();
  const rel = relative(process.cwd(), dir);
  // The relative form first: it ends with the absolute one (../../tmp/x holds /tmp/x).
  return { dir, clean: (text) => text.replaceAll(rel, "<project>").replaceAll(dir, "<project>") };
}

async function report(
  p: Project,
  campaign: string | undefined,
  options: Partial<ReportCommandOptions> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runReport(
    campaign,
    { config: join(p.dir, "patron.yaml"), db: join(p.dir, "patron.db"), asOf: AS_OF, format: "text", ...options },
    io,
  );
  return { code, out: p.clean(io.lines.join("\n")), err: p.clean(io.errors.join("\n")) };
}

describe("patron report", () => {
  it("imports the redemptions, then reports every run of the period and the loyalty KPIs as text", async () => {
    const p = project();
    const r = await report(p, undefined, { redemptions: join(p.dir, "redemptions.csv") });
    expect(r.code).toBe(0);
    expectGolden(join(expected, "redemptions.stderr.txt"), r.err);
    expectGolden(join(expected, "report.txt"), r.out);
    // Imported once: a second report with the same file records nothing new.
    const again = await report(p, undefined, { redemptions: join(p.dir, "redemptions.csv") });
    expect(again.err.split("\n")[0]).toBe(
      "redemptions from <project>/redemptions.csv: 6 read, 0 recorded, 5 already recorded, 1 rejected (written to <project>/redemptions.rejects.csv)",
    );
    expect(again.out).toBe(r.out);
  });

  it("prints the documented JSON shape", async () => {
    const p = project();
    const r = await report(p, undefined, { redemptions: join(p.dir, "redemptions.csv"), format: "json" });
    expect(r.code).toBe(0);
    expectGolden(join(expected, "report.json"), r.out);
    const json = JSON.parse(r.out) as { runs: { goal: { uplift: { difference: number } } | null; coupons: { rate: number | null } }[] };
    // The hand-computed numbers of run 1 (fixture.ts): uplift 0.4 − 0.2, 3 of 13 codes redeemed.
    expect(json.runs[1]?.goal?.uplift.difference).toBe(0.2);
    expect(json.runs[1]?.coupons.rate).toBe(0.230769);
  });

  it("writes one self-contained HTML file with the funnel and the conversion charts", async () => {
    const p = project();
    const out = join(p.dir, "report.html");
    const r = await report(p, undefined, { redemptions: join(p.dir, "redemptions.csv"), format: "html", out });
    expect(r).toMatchObject({ code: 0, out: "wrote <project>/report.html: 3 runs and the loyalty KPIs" });
    const html = readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html.match(/aria-label="funnel"/g)).toHaveLength(3);
    expect(html.match(/aria-label="conversion rate by group with 95% intervals"/g)).toHaveLength(2);
    expectGolden(join(expected, "report.html"), html);
  });

  it("reports one campaign over a period given with --from", async () => {
    const p = project();
    const r = await report(p, "shampoo-cross-sell", { from: "2026-12-10", churnDays: "30" });
    expect(r.code).toBe(0);
    expectGolden(join(expected, "shampoo-from-12-10.txt"), r.out);
  });

  it("says where the latest run of a campaign lies when none is in the period", async () => {
    const p = project();
    const r = await report(p, "birthday-care", { from: "2026-12-15" });
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "\n\nno run of birthday-care in the period\n\nloyalty KPIs, 2026-12-15T00:00:00+08:00 → 2026-12-20T09:30:00+08:00\n",
    );
    expect(r.out.split("\n").at(-1)).toBe("(its latest run was as of 2026-12-10T09:00:00+08:00: widen the period with --from)");
  });

  it("still reports a campaign whose file no longer checks, without its goal", async () => {
    const p = project({ shampoo: SHAMPOO.replace("via sms", "via smss") });
    const r = await report(p, "shampoo-cross-sell", { format: "json" });
    const json = JSON.parse(r.out) as { runs: { goal: unknown; notes: string[] }[] };
    expect(json.runs.map((run) => [run.goal, run.notes])).toEqual([
      [null, ['campaign "shampoo-cross-sell" is not in the repository or does not check now: its goal is not measured']],
      [null, ['campaign "shampoo-cross-sell" is not in the repository or does not check now: its goal is not measured']],
    ]);
  });

  it("refuses a campaign nobody knows, naming the nearest one", async () => {
    const p = project();
    await expect(report(p, "shampoo-crosssell")).rejects.toThrow(
      new UsageError(
        'no campaign "shampoo-crosssell" in the repository or among the runs; did you mean "shampoo-cross-sell"? (known: birthday-care, shampoo-cross-sell)',
      ),
    );
  });

  it("refuses a period that does not start before the as-of, and a churn window of 0 days", async () => {
    const p = project();
    await expect(report(p, undefined, { from: AS_OF })).rejects.toThrow(/--from 2026-12-20T09:30:00\+08:00 is not before the as-of/);
    await expect(report(p, undefined, { churnDays: "0" })).rejects.toThrow(/--churn-days 0: churn needs a window of at least one day/);
  });

  it("stops with the importer's message when the redemptions file cannot be read", async () => {
    const p = project();
    writeFileSync(join(p.dir, "bad.csv"), "voucher,when\nHS-M08,2026-12-06\n");
    const r = await report(p, undefined, { redemptions: join(p.dir, "bad.csv") });
    expect(r).toEqual({
      code: 1,
      out: "",
      err: [
        "patron report: the redemptions file has no code or redeemed_at column (its columns: voucher, when)",
        "  help: a redemptions file has the columns code,redeemed_at and optionally member_id,order_id",
      ].join("\n"),
    });
  });
});
