import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createSyntaxDiagramsCode } from "chevrotain";
import { grammarProductions } from "../parser/parse.js";

/**
 * The railroad diagrams of the campaign language, generated from the grammar itself so they
 * can never drift from what the parser accepts. Chevrotain's generator links its scripts from a
 * CDN; they are inlined here so the page works offline and from a git checkout.
 */
export function syntaxDiagramsHtml(): string {
  const base = "chevrotain-diagrams/";
  const html = createSyntaxDiagramsCode(grammarProductions(), { resourceBase: base, css: `${base}diagrams.css` });
  const diagramsDir = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "..", "diagrams");
  const read = (rel: string): string => readFileSync(join(diagramsDir, rel), "utf8");
  return html
    .replace(/<link rel='stylesheet' href='chevrotain-diagrams\/diagrams\.css'>/, () => `<style>\n${read("diagrams.css")}\n</style>`)
    .replace(/<script src='chevrotain-diagrams\/([^']+)'><\/script>/g, (_, rel: string) => `<script>\n${read(rel)}\n</script>`)
    .replace(
      "<!-- This is a generated file -->",
      "<!-- Generated from packages/dsl/src/parser/grammar.ts by `pnpm docs`. Do not edit. -->\n<title>Patron campaign language: syntax diagrams</title>",
    );
}
