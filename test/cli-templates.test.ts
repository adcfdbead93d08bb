import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "./support/golden.js";

// `patron check` on message templates, through the built binary (the test script builds first).
// test/fixtures/templates is a small repository whose templates hold the usual mistakes.
const root = join(import.meta.dirname, "..");
const bin = join(root, "packages/cli/bin/patron.js");
const FIXTURE = join(import.meta.dirname, "fixtures/templates");

function patron(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-templates-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("patron check on templates", () => {
  it("reports template mistakes where they are written, lists SMS lengths, and exits 1", () => {
    const r = patron(["check"], repo());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expectGolden(join(FIXTURE, "check.expected.txt"), r.stdout);
  });

  it("puts template diagnostics and SMS lengths in the JSON report", () => {
    const r = patron(["check", "--format", "json"], repo());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      diagnostics: { file: string; line: number; code: string; severity: string }[];
      sms: { message: string; file: string; line: number; encoding: string; length: number; segments: number }[];
    };
    expect(report.ok).toBe(false);
    expect(report.diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}`)).toEqual([
      "patron.yaml:20 error E602",
      "patron.yaml:20 error E604",
      "patron.yaml:27 error E603",
      "templates/points-news.html.hbs:2 error E601",
      "templates/points-news.txt.hbs:3 error E604",
      "templates/spring-sale.sms.hbs:1 warning W601",
      "templates/thanks.sms.hbs:1 error E604",
    ]);
    expect(report.sms).toContainEqual({
      message: "spring-sale",
      file: "templates/spring-sale.sms.hbs",
      line: 1,
      encoding: "UCS-2",
      length: 83,
      segments: 2,
    });
  });

  it("writes GitHub annotations for templates", () => {
    const r = patron(["check", "--format", "github"], repo());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "::error file=templates/points-news.html.hbs,line=2,col=21,endLine=2,endColumn=38,title=E601 template syntax error::{{#if expiresOn}} is not closed%0Ahelp: end it with {{/if}}",
    );
    expect(r.stdout).toMatch(/^::warning file=templates\/spring-sale\.sms\.hbs,line=1,col=1,.*title=W601 SMS longer than one segment::/m);
  });

  it("passes the example repository with every SMS in one segment", () => {
    const r = patron(["check"], join(root, "campaigns"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ no problems in");
    expect(r.stdout).toMatch(/^ {2}welcome +templates\/welcome\.sms\.hbs:1 +UCS-2, \d+ characters, 1 segment$/m);
    expect(r.stdout).not.toContain("segments");
  });

  it("keeps the SMS lengths out of quiet output", () => {
    const r = patron(["check", "-q"], join(root, "campaigns"));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("SMS length");
  });
});
