import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntaxDiagramsHtml } from "../src/index.js";

describe("docs/syntax-diagrams.html", () => {
  it("is generated from the current grammar (run `pnpm docs` after changing the grammar)", () => {
    const committed = readFileSync(join(import.meta.dirname, "../../../docs/syntax-diagrams.html"), "utf8");
    expect(committed === syntaxDiagramsHtml()).toBe(true);
  });

  it("is self-contained: no scripts or styles from the network", () => {
    const html = syntaxDiagramsHtml();
    expect(html).not.toMatch(/<script src=|<link rel=/);
    expect(html).toContain('"name": "boughtCondition"');
  });
});
