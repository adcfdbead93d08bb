// Bundles the CLI into dist/bundle/patron.js and a chunk per command. Why: chevrotain 11 ships as hundreds of small
// ES modules (lodash-es) that take ~0.5 s for Node to load one by one; bundled, start-up is ~20×
// faster, which is what keeps `patron check` on 1,000 files under a second. `tsc -b` still
// type-checks and emits dist/*.js for the other packages and the tests.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");

// The worker threads of `patron import` (packages/engine/src/import/row-source.ts) and of a run's
// outbox writing (packages/engine/src/runs/outbox-sink.ts) are entry points of their own, written
// beside the chunks (chunks/import-worker.mjs, chunks/outbox-worker.mjs): each is looked for
// beside the chunk that holds the code starting it.
const engineDist = dirname(fileURLToPath(import.meta.resolve("@patron/engine")));
const importWorker = join(engineDist, "import/import-worker.js");
const outboxWorker = join(engineDist, "runs/outbox-worker.js");

// Split along the dynamic imports of main.ts (one per command): a command loads only its own code,
// so `patron check` does not parse the Twilio SDK, nodemailer or the HTTP server.
rmSync(join(pkg, "dist/bundle"), { recursive: true, force: true });
await build({
  entryPoints: { patron: join(pkg, "dist/main.js"), "chunks/import-worker": importWorker, "chunks/outbox-worker": outboxWorker },
  outdir: join(pkg, "dist/bundle"),
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  outExtension: { ".js": ".mjs" },
  sourcemap: true,
  // Whitespace and syntax only: identifiers keep their names for stack traces, and no
  // keepNames helper runs at every function creation (it showed in profiles).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  // A native addon cannot be bundled: it is loaded from node_modules (a dependency of this package).
  // The provider SDKs are loaded on first use (see packages/channels/src/twilio/sdk.ts) from
  // node_modules too, so commands that send nothing never parse them.
  external: ["better-sqlite3", "twilio", "nodemailer"],
  // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __patronCreateRequire } from 'node:module'; const require = __patronCreateRequire(import.meta.url);",
  },
});
