import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../packages/dsl/src/diagnostics/codes.js";
import { expectGolden } from "./support/golden.js";

// The compliance lint of `patron check`, through the built binary (the test script builds first).
// test/fixtures/compliance is a region-cn repository breaking each rule once or twice.
const root = join(import.meta.dirname, "..");
const bin = join(root, "packages/cli/bin/patron.js");
const FIXTURE = join(import.meta.dirname, "fixtures/compliance");

function patron(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-compliance-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("patron check: compliance", () => {
  it("reports each rule where it is broken, with the fix, and exits 1 for an unsigned SMS", () => {
    const r = patron(["check"], repo());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expectGolden(join(FIXTURE, "check.expected.txt"), r.stdout);
  });

  it("shows every compliance code in the golden output", () => {
    const golden = readFileSync(join(FIXTURE, "check.expected.txt"), "utf8");
    const shown = new Set([...golden.matchAll(/(?:error|warning)\[([EW]7\d\d)\]/g)].map((m) => m[1]));
    const codes = Object.keys(DIAGNOSTIC_CODES).filter((c) => /^[EW]7/.test(c));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c) => !shown.has(c))).toEqual([]);
  });

  it("puts them in the JSON report with their titles", () => {
    const r = patron(["check", "--format", "json"], repo());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { errors: number; warnings: number; diagnostics: Record<string, unknown>[] };
    expect([report.errors, report.warnings]).toEqual([2, 5]);
    expect(
      report.diagnostics.map((d) => `${String(d["file"])}:${String(d["line"])} ${String(d["severity"])} ${String(d["code"])}`),
    ).toEqual([
      "member-day.campaign:6 warning W702",
      "spring-sale.campaign:1 warning W703",
      "welcome.campaign:2 warning W703",
      "patron.yaml:36 error E701",
      "patron.yaml:37 warning W702",
      "templates/points-change.sms.hbs:1 error E701",
      "templates/spring-sale.sms.hbs:2 warning W701",
    ]);
    expect(report.diagnostics[0]).toMatchObject({ column: 54, endColumn: 60, title: "WeChat template message used for marketing" });
  });

  it("writes GitHub annotations", () => {
    const r = patron(["check", "--format", "github"], repo());
    expect(r.stdout).toMatch(/^::error file=templates\/points-change\.sms\.hbs,line=1,col=1,.*title=E701 SMS without the sign name::/m);
    expect(r.stdout).toMatch(/^::warning file=welcome\.campaign,line=2,col=1,endLine=2,endColumn=5,title=W703 /m);
  });

  it("is clean once the project follows the help", () => {
    const dir = repo();
    const yaml = readFileSync(join(dir, "patron.yaml"), "utf8")
      .replace("{{member.name}}，【小店】会员日", "【小店】{{member.name}}，会员日")
      .replace(/ {4}wechat:\n {6}templateId: "Zx81Lm0Q[\s\S]*$/, "frequencyCap: { messages: 2, days: 7 }\n");
    writeFileSync(join(dir, "patron.yaml"), yaml);
    writeFileSync(
      join(dir, "member-day.campaign"),
      readFileSync(join(dir, "member-day.campaign"), "utf8").replace("via wechat or sms", "via sms"),
    );
    writeFileSync(join(dir, "templates/points-change.sms.hbs"), "【小店】{{member.name}}，您的积分已更新，当前共{{points}}积分。\n");
    writeFileSync(
      join(dir, "templates/spring-sale.sms.hbs"),
      "【小店】{{member.name}}，春季上新，全场满300减50，{{#if points}}积分可抵现，{{/if}}仅限3月。回TD退订\n",
    );
    const r = patron(["check", "-q"], dir);
    expect(r.stdout).toBe("✓ no problems in 4 files; 4 campaigns ready\n");
    expect(r.code).toBe(0);
  });

  it("passes the example repository: every SMS signed, marketing SMS with 回TD退订, WeChat for service notices, a global cap", () => {
    const r = patron(["check", "-q"], join(root, "campaigns"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ no problems in \d+ files; \d+ campaigns ready$/m);
  });
});
