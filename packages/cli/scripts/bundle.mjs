// Bundles the CLI into one file, dist/patron.mjs. Why: chevrotain 11 ships as hundreds of small
// ES modules (lodash-es) that take ~0.5 s for Node to load one by one; bundled, start-up is ~20×
// faster, which is what keeps `patron check` on 1,000 files under a second. `tsc -b` still
// type-checks and emits dist/*.js for the other packages and the tests.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  entryPoints: [join(pkg, "dist/main.js")],
  outfile: join(pkg, "dist/patron.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  // Whitespace and syntax only: identifiers keep their names for stack traces, and no
  // keepNames helper runs at every function creation (it showed in profiles).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  // A native addon cannot be bundled: it is loaded from node_modules (a dependency of this package).
  external: ["better-sqlite3"],
  // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __patronCreateRequire } from 'node:module'; const require = __patronCreateRequire(import.meta.url);",
  },
});
