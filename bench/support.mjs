// What the parts of `pnpm bench` share: where things are, running a measurement in a child process
// (its memory is its own), fingerprints of built code (cached data is rebuilt when it changes), and
// how a part reports its targets.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const out = join(root, "bench/out");

/** A piece of Patron the benchmark needs is not built: said in one line, without a stack. */
export class MissingPiece extends Error {}

/** A fingerprint of the built .js files of these folders (relative to the repository). */
export function builtVersion(...dirs) {
  const hash = createHash("sha256");
  for (const rel of dirs) {
    const dir = join(root, rel);
    if (!existsSync(dir)) throw new MissingPiece(`${relative(root, dir)} is not built (run npx tsc -b)`);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".js"))
      .sort())
      hash.update(file).update(readFileSync(join(dir, file)));
  }
  return hash.digest("hex").slice(0, 10);
}

/** Runs a bench script in a child process; resolves to the JSON report on its last stdout line. */
export function runChild(script, job, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(root, "bench", script), JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (status !== 0 || !last.startsWith("{")) reject(new Error(`${script} failed (exit ${status}): ${stdout.slice(-2000)}`));
      else resolve(JSON.parse(last));
    });
  });
}

/** A target that could not be measured, printed and returned as missed. */
export function failed(name, error) {
  const message = error instanceof MissingPiece ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.log(`  ✗ ${name}: ${message}`);
  return { name, ok: false, summary: message.split("\n")[0] };
}

/** Prints a part's targets and sums them up as the part's result. */
export function partResult(name, results) {
  console.log("");
  for (const r of results) console.log(`  ${r.ok ? "✓" : "✗"} ${r.name}: ${r.summary}`);
  const bad = results.filter((r) => !r.ok).map((r) => r.name);
  return {
    name,
    ok: bad.length === 0,
    summary:
      bad.length === 0
        ? `all ${results.length} targets met`
        : `${results.length - bad.length}/${results.length} met; missed: ${bad.join("; ")}`,
  };
}

/** 12.3 ms, 4.56 s, 78.9 s. */
export function fmt(seconds) {
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  return seconds < 10 ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(1)} s`;
}
