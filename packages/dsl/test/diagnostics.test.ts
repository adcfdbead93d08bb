import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES, renderGithub, toJson, type CheckEnvironment } from "../src/index.js";
import { checkOne } from "./support/check-files.js";
import { TEST_ENV } from "./support/environment.js";
import { expectGolden } from "../../../test/support/golden.js";

/*
 * The golden mistake suite: each test/mistakes/NAME.campaign (or NAME.segments, for the shared
 * segments file) is a mistake a marketer makes, and NAME.expected.txt is exactly what
 * `patron check` prints for it. Reviewing a change to these
 * files means reading them as the marketer would: is the caret under the right words, is the
 * message true, does the help say what to do?
 */

const MISTAKES = join(dirname(fileURLToPath(import.meta.url)), "mistakes");

/** The few mistakes that need a business configured differently from TEST_ENV. */
const ENVIRONMENTS: Record<string, CheckEnvironment> = {
  // A business that has not set up email.
  "channel-not-configured": { ...TEST_ENV, channels: ["sms", "wechat"] },
};

const files = readdirSync(MISTAKES)
  .filter((f) => f.endsWith(".campaign") || f.endsWith(".segments"))
  .sort();

function report(file: string, text: string): string {
  const name = file.replace(/\.[^.]*$/, "");
  return checkOne(text, `campaigns/${file}`, ENVIRONMENTS[name] ?? TEST_ENV).text;
}

/**
 * Every code of a business rule or of the language: the E4xx codes are @patron/config's, the
 * E6xx/W6xx codes the message templates' (covered by packages/engine/test/render).
 */
const LANGUAGE_CODES = Object.keys(DIAGNOSTIC_CODES).filter((c) => !/^(E4|[EW][67])/.test(c));

describe("mistakes a marketer makes", () => {
  it("has a mistake for each thing the suite must cover", () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(MISTAKES, file), "utf8");
      const out = report(file, text);
      // Every mistake file is a mistake: something must be reported.
      expect(out).not.toBe("");
      expectGolden(join(MISTAKES, file.replace(/\.[^.]*$/, ".expected.txt")), out);
    });
  }

  // Generated here rather than committed: a binary fixture in git is easy to break by accident.
  it("binary-garbage (an image saved as a campaign file)", () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x41,
    ]);
    const out = report("binary-garbage.campaign", new TextDecoder("utf-8").decode(png));
    expectGolden(join(MISTAKES, "binary-garbage.expected.txt"), out);
  });

  it("shows every diagnostic code of the language at least once", () => {
    const shown = new Set(
      readdirSync(MISTAKES)
        .filter((f) => f.endsWith(".expected.txt"))
        .flatMap((f) => [...readFileSync(join(MISTAKES, f), "utf8").matchAll(/(?:error|warning)\[([EW]\d{3})\]/g)].map((m) => m[1])),
    );
    expect(LANGUAGE_CODES.filter((c) => !shown.has(c))).toEqual([]);
  });

  it("binary-garbage after a valid sentence is still reported as binary", () => {
    const out = checkOne('when tier >= gold, send message "welcome" via sms\n\u0000\u0000\u0000', "campaigns/x.campaign");
    expect(out.result.diagnostics.map((d) => d.code)).toEqual(["E006"]);
    expect(out.result.campaigns).toEqual([]);
  });
});

describe("a 1 MB file", () => {
  const block = (i: number): string =>
    `campaign "winback-${i}" {\n` +
    `  description "Lapsed VIPs get 50 CNY back"\n` +
    `  holdout 10%\n` +
    `  when tier >= platinum and not bought anything within 90 days, send coupon "WINBACK-50" via sms\n` +
    `}\n\n`;

  function bigFile(last: string): { text: string; campaigns: number } {
    const parts: string[] = [];
    let size = 0;
    while (size < 1_000_000) {
      const b = block(parts.length);
      parts.push(b);
      size += b.length;
    }
    return { text: parts.join("") + last, campaigns: parts.length };
  }

  it("checks thousands of campaigns and finds the one mistake at the end", () => {
    const { text, campaigns } = bigFile('campaign "last" {\n  when tier >= platnum, send coupon "WINBACK-50" via sms\n}\n');
    const started = Date.now();
    const out = checkOne(text, "campaigns/big.campaign");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out.result.campaigns).toHaveLength(campaigns);
    const lines = text.split("\n").length - 1;
    expect(out.text).toBe(
      [
        `campaigns/big.campaign:${lines - 1}:16 error[E202]: unknown tier "platnum"`,
        `  ${lines - 1} |   when tier >= platnum, send coupon "WINBACK-50" via sms`,
        `  ${" ".repeat(String(lines - 1).length)} |                ^^^^^^^`,
        `  help: did you mean "platinum"? Known tiers: silver, gold, platinum, diamond`,
      ].join("\n"),
    );
  });

  it("recovers from a syntax error at the end without losing the campaigns before it", () => {
    const { text, campaigns } = bigFile('campaign "last" {\n  descripton "typo"\n  when tier >= gold, send message "welcome" via sms\n}\n');
    const out = checkOne(text, "campaigns/big.campaign");
    const line = text.slice(0, text.indexOf("descripton")).split("\n").length;
    expect(out.result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["E101", line]]);
    expect(out.result.campaigns).toHaveLength(campaigns);
  });
});

describe("several mistakes in one file", () => {
  const codes = (name: string): string[] => {
    const text = readFileSync(join(MISTAKES, `${name}.campaign`), "utf8");
    return checkOne(text, `campaigns/${name}.campaign`).result.diagnostics.map((d) => `${d.span.start.line}:${d.code}`);
  };

  it("reports a mistake in every campaign, of every kind, in one run", () => {
    // A misspelt option, an unknown tier, a time out of range, an unknown message, a misspelt unit.
    expect(codes("several-mistakes")).toEqual(["2:E101", "4:E202", "9:E005", "10:E205", "14:E310"]);
  });

  it("reports every syntax error, not just the first", () => {
    expect(codes("several-syntax-mistakes")).toEqual(["2:E101", "7:E102", "11:E101"]);
  });

  it("reports several mistakes inside one campaign", () => {
    expect(codes("several-mistakes-one-campaign")).toEqual(["2:E101", "4:E101", "5:E310", "8:E202"]);
  });
});

describe("machine-readable output", () => {
  const text = readFileSync(join(MISTAKES, "several-mistakes.campaign"), "utf8");
  const { result } = checkOne(text, "campaigns/several-mistakes.campaign");

  it("JSON for CI", () => {
    expectGolden(join(MISTAKES, "output", "several-mistakes.json"), JSON.stringify(result.diagnostics.map(toJson), null, 2));
  });

  it("GitHub annotations", () => {
    expectGolden(join(MISTAKES, "output", "several-mistakes.github.txt"), result.diagnostics.map(renderGithub).join("\n"));
  });

  it("JSON and annotations say the same as the text", () => {
    const json = result.diagnostics.map(toJson);
    const github = result.diagnostics.map(renderGithub);
    json.forEach((d, i) => {
      const annotation = github[i] ?? "";
      expect(annotation).toContain(`line=${d.line},col=${d.column}`);
      expect(annotation).toContain(d.code);
      expect(annotation).toContain(d.message.replace(/%/g, "%25"));
    });
  });
});
