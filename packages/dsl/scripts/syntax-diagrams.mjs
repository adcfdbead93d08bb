// Writes docs/syntax-diagrams.html from the grammar (`pnpm docs`). A test keeps the committed file current.
import { writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { syntaxDiagramsHtml } from "../dist/index.js";

const out = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/syntax-diagrams.html");
writeFileSync(out, syntaxDiagramsHtml());
console.log(`wrote ${out}`);
