import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// These tests run the built binary exactly as a user or CI job would (the test script builds first).
const root = join(import.meta.dirname, "..");
const bin = join(root, "packages/cli/bin/patron.js");

function patron(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function repo(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-cli-"));
  cpSync(join(import.meta.dirname, "fixtures/mini"), dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("patron binary", () => {
  it("is linked at node_modules/.bin/patron after install", () => {
    expect(existsSync(join(root, "node_modules/.bin/patron"))).toBe(true);
  });

  it("prints help with every command", () => {
    const r = patron(["--help"], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("check");
    expect(r.stdout).toContain("fmt");
  });

  it("exits 2 and suggests the command on a typo", () => {
    const r = patron(["chek"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(Did you mean check?)");
  });
});

describe("patron check", () => {
  it("passes a clean repository and lists its campaigns", () => {
    const r = patron(["check"], repo());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ no problems in 3 files; 2 campaigns ready");
    expect(r.stdout).toMatch(/cross-sell\s+cross-sell\.campaign:1/);
    expect(r.stdout).toMatch(/winback\s+winback\.campaign:4\s+Lapsed VIPs get a thank-you/);
  });

  it("reports every mistake with file, line, column, source and caret, and exits 1", () => {
    const dir = repo({ "bad.campaign": 'when tier >= platnum and bought brand A withn 30 days, send message "thanks" via sms\n' });
    const r = patron(["check"], dir);
    expect(r.code).toBe(1);
    // The exact wording is pinned by the golden files in packages/dsl/test/mistakes; here, the layout.
    expect(r.stdout).toMatch(/^bad\.campaign:1:41 error\[E1\d\d\]: .*"withn"/m);
    expect(r.stdout).toContain(
      [
        '  1 | when tier >= platnum and bought brand A withn 30 days, send message "thanks" via sms',
        "    |                                         ^^^^^",
        '  help: did you mean "within"?',
      ].join("\n"),
    );
    expect(r.stdout).toContain("✗ 1 error in 4 files");
  });

  it("exits 0 on warnings only", () => {
    const r = patron(["check", "warn.campaign"], repo({ "warn.campaign": 'when tier > diamond, send message "thanks" via sms\n' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("warning[W501]: no tier is above diamond");
  });

  it("checks only the paths given (plus the shared segments)", () => {
    const dir = repo({ "bad.campaign": "when tier >= platnum, send message thanks via sms\n" });
    const r = patron(["check", "winback.campaign", "--format", "json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { files: string[] };
    expect(report.files).toEqual(["shared.segments", "winback.campaign"]);
  });

  it("has a stable JSON shape with 1-based lines and columns", () => {
    const dir = repo({ "bad.campaign": "when tier >= platnum, send message thanks via sms\n" });
    const r = patron(["check", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(["version", "ok", "errors", "warnings", "files", "campaigns", "diagnostics", "sms"]);
    expect(report["diagnostics"]).toEqual([
      {
        file: "bad.campaign",
        line: 1,
        column: 14,
        endLine: 1,
        endColumn: 21,
        severity: "error",
        code: "E202",
        title: "unknown tier",
        message: 'unknown tier "platnum"',
        help: 'did you mean "platinum"? Known tiers: silver, gold, platinum, diamond',
      },
    ]);
  });

  it("writes GitHub annotations", () => {
    const dir = repo({ "bad.campaign": "when tier >= platnum, send message thanks via sms\n" });
    const r = patron(["check", "--format", "github"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '::error file=bad.campaign,line=1,col=14,endLine=1,endColumn=21,title=E202 unknown tier::unknown tier "platnum"%0Ahelp: did you mean "platinum"? Known tiers: silver, gold, platinum, diamond',
    );
  });

  it("reports a broken patron.yaml at its line", () => {
    const dir = repo({ "patron.yaml": "business: x\ntimezone: Mars/Olympus\ntiers: [silver]\n" });
    const r = patron(["check"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/patron\.yaml:2:11 error\[E403\]/);
  });

  it("says where patron.yaml is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "patron-empty-"));
    const r = patron(["check"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E401]: no patron.yaml in");
  });

  it("shows at most 50 problems per file in text, and all of them in JSON", () => {
    const csv = "InvoiceNo,StockCode,Description\n" + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER;\n".repeat(80);
    const dir = repo({ "oops.campaign": csv });
    const text = patron(["check", "-q", "oops.campaign"], dir);
    expect(text.code).toBe(1);
    expect(text.stdout.match(/^oops\.campaign:\d+:\d+ error/gm)).toHaveLength(50);
    expect(text.stdout).toMatch(/^oops\.campaign: \d+ more problems not shown; fix the first ones, or see them all with --format json$/m);
    const json = JSON.parse(patron(["check", "--format", "json", "oops.campaign"], dir).stdout) as { errors: number };
    expect(json.errors).toBeGreaterThan(50);
  });

  it("stops quietly when the reader closes the pipe", () => {
    const dir = repo({ "oops.campaign": "when tier >= platnum, send message thanks via sms\n".repeat(200) });
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" check | head -1`], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).not.toContain("EPIPE");
    expect(r.stdout.split("\n")[0]).toMatch(/^oops\.campaign:1:14 error\[E202\]/);
  });

  it("exits 2 for a path that does not exist", () => {
    const r = patron(["check", "nope.campaign"], repo());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such file or folder: nope.campaign");
  });
});

describe("patron fmt", () => {
  it("--check exits 1 for an unformatted file and changes nothing", () => {
    const messy = "WHEN  member BOUGHT brand A within 30 days AND tier>=gold ,send coupon for brand B via SMS\n";
    const dir = repo({ "messy.campaign": messy });
    const r = patron(["fmt", "--check"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("would reformat messy.campaign");
    expect(readFileSync(join(dir, "messy.campaign"), "utf8")).toBe(messy);
  });

  it("rewrites files into the canonical layout, after which --check passes", () => {
    const dir = repo({ "messy.campaign": "WHEN  member BOUGHT brand A within 30 days AND tier>=gold ,send coupon for brand B via SMS\n" });
    expect(patron(["fmt"], dir).code).toBe(0);
    expect(readFileSync(join(dir, "messy.campaign"), "utf8")).toBe(
      "when member bought brand A within 30 days and tier >= gold, send coupon for brand B via sms\n",
    );
    expect(patron(["fmt", "--check"], dir).code).toBe(0);
  });

  it("leaves a file with syntax errors untouched and reports them", () => {
    const broken = "when tier >= gold send message thanks via sms\n";
    const dir = repo({ "broken.campaign": broken });
    const r = patron(["fmt"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("broken.campaign:1:19 error[E102]");
    expect(readFileSync(join(dir, "broken.campaign"), "utf8")).toBe(broken);
  });
});
