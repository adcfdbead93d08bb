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

/** Bundles bench/<script> into bench/out/bundled/; returns its path relative to bench/ for runChild. */
export async function bundled(script) {
  const target = join(out, "bundled", script);
  await esbuild.build({
    entryPoints: [join(root, "bench", script)],
    outfile: target,
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
