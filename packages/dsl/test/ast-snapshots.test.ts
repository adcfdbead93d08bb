import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { check, parse, SourceFile, type ParseResult } from "../src/index.js";
import { TEST_ENV } from "./support/environment.js";
import { expectGolden, UPDATING_GOLDEN as UPDATING } from "../../../test/support/golden.js";

/*
 * What each example of the language reference (docs: shared/design/language.md) parses to, with
 * offsets, pinned in test/examples/NAME.ast.json. A change to the AST shape or to what a
 * sentence means shows up here as a diff.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, "examples");
const CAMPAIGNS = join(HERE, "..", "..", "..", "campaigns");
const SNAPSHOTS_OF_CAMPAIGNS = join(EXAMPLES, "campaigns");

function isSource(name: string): boolean {
  return name.endsWith(".campaign") || name.endsWith(".segments");
}

/** Every campaign and segments file under a folder, as paths relative to it, sorted. */
function sourcesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (isSource(name)) out.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return out;
}

/** The AST and the comments (kept beside it for the formatter), as the golden file holds them. */
function snapshot(result: ParseResult): string {
  return JSON.stringify({ ast: result.ast, comments: result.comments }, null, 2);
}

describe("the examples of the language reference", () => {
  const names = sourcesUnder(EXAMPLES).filter((p) => !p.includes("/"));
  const parsed = names.map((name) => parse(new SourceFile(`examples/${name}`, readFileSync(join(EXAMPLES, name), "utf8"))));

  it("are all here", () => {
    expect(names).toEqual([
      "birthday-care.campaign",
      "one-line.campaign",
      "points-expiry.campaign",
      "referral-thanks.campaign",
      "shampoo-cross-sell.campaign",
      "shared.segments",
      "upgrade-nudge.campaign",
      "welcome-regions.campaign",
      "winback-vip.campaign",
    ]);
  });

  it("check without a single diagnostic, together as one program", () => {
    const result = check({ files: parsed, env: TEST_ENV });
    expect(result.diagnostics).toEqual([]);
    // One-line files are campaigns named after the file; the block is named in the file.
    const ids = names.filter((n) => n.endsWith(".campaign")).map((n) => n.slice(0, -".campaign".length));
    expect(result.campaigns.map((c) => c.id).sort()).toEqual(ids.sort());
    expect([...result.segments.keys()]).toEqual(["lapsed_vip", "new_member", "big_spender", "shanghai_lapsed_vip"]);
  });

  names.forEach((name, i) => {
    it(`${name} parses to the AST on file`, () => {
      const result = parsed[i] as ParseResult;
      expect(result.diagnostics).toEqual([]);
      expectGolden(join(EXAMPLES, name.replace(/\.(campaign|segments)$/, ".ast.json")), snapshot(result));
    });
  });
});

describe("the campaigns of the repository (campaigns/)", () => {
  const names = sourcesUnder(CAMPAIGNS);
  const golden = (name: string): string => join(SNAPSHOTS_OF_CAMPAIGNS, `${name}.ast.json`);

  it.skipIf(names.length > 0)("(campaigns/ holds no campaign files yet)", () => {
    expect(names).toEqual([]);
  });

  for (const name of names) {
    it(`${name} parses without a syntax error, to the AST on file`, () => {
      const result = parse(new SourceFile(`campaigns/${name}`, readFileSync(join(CAMPAIGNS, name), "utf8")));
      // Only the parser's verdict: these campaigns are checked against their own patron.yaml
      // by the CLI tests, not against the test environment.
      expect(result.diagnostics).toEqual([]);
      expectGolden(golden(name), snapshot(result));
    });
  }

  it("has no snapshot left over from a campaign that is gone", () => {
    const expected = new Set(names.map(golden));
    const stale = existsSync(SNAPSHOTS_OF_CAMPAIGNS) ? listJson(SNAPSHOTS_OF_CAMPAIGNS).filter((p) => !expected.has(p)) : [];
    if (UPDATING) {
      for (const path of stale) rmSync(path);
      return;
    }
    expect(stale, "run with UPDATE_GOLDEN=1 to remove them").toEqual([]);
  });
});

function listJson(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ast.json")) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}
