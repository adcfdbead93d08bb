// Bench child scripts that stand in for a CLI command run bundled, as the CLI is
// (packages/cli/scripts/bundle.mjs): loading hundreds of unbundled modules (chevrotain's lodash-es)
// costs tens of MB of RSS that `patron` never pays, and would count in a memory target.
import { createRequire } from "node:module";
import { join } from "node:path";
import { out, root } from "./support.mjs";

const cli = createRequire(join(root, "packages/cli/package.json"));
const esbuild = cli("esbuild");
// The bundle lives in bench/out/, where node_modules has none of them: they are imported by the
// absolute path the CLI package resolves them to.
const EXTERNAL = ["better-sqlite3", "twilio", "nodemailer"];
const externalByPath = {
  name: "external-by-path",
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${EXTERNAL.join("|")})$`) }, (args) => ({ path: cli.resolve(args.path), external: true }));
  },
};

/**
 * Bundles bench/<script> into bench/out/bundled/; returns its path relative to bench/ for runChild.
 * The engine's worker threads are bundled beside it, where the engine looks for them (as in the
 * CLI's bundle): without them a run would write its outbox on the planning thread.
 */
export async function bundled(script) {
  const name = script.replace(/\.mjs$/, "");
  await esbuild.build({
    entryPoints: {
      [name]: join(root, "bench", script),
      "outbox-worker": join(root, "packages/engine/dist/runs/outbox-worker.js"),
      "import-worker": join(root, "packages/engine/dist/import/import-worker.js"),
    },
    outdir: join(out, "bundled"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "warning",
    // As the CLI: the native addon and the provider SDKs stay in node_modules.
    plugins: [externalByPath],
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
  });
  return join("out", "bundled", script);
}
