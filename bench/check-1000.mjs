import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages/cli/bin/patron.js");
const TARGET_SECONDS = 1;
const RUNS = 7;

/**
 * Whole-process time of `patron check` over 1,000 campaign files: a copy of the example
 * business in campaigns/ with its campaigns repeated (renamed so ids stay unique) up to 1,000
 * files. Compared with the bare cost of starting Node and of starting the CLI.
 */
export async function checkThousandFiles() {
  const work = join(root, "bench/out/check-1000");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(root, "campaigns"), work, { recursive: true });
  const examples = listCampaigns(work);
  if (examples.length === 0) throw new Error("campaigns/ holds no .campaign files to repeat");
  const generated = join(work, "generated");
  mkdirSync(generated, { recursive: true });
  let count = examples.length;
  for (let i = 0; count < 1000; i++, count++) {
    const example = examples[i % examples.length];
    const text = readFileSync(example, "utf8").replace(/campaign\s+"([^"]+)"/g, (_, id) => `campaign "${id}-${i}"`);
    writeFileSync(join(generated, `${String(i).padStart(4, "0")}-${basename(example)}`), text);
  }

  const check = spawnSync(process.execPath, [bin, "check", "--quiet", "--format", "json"], { cwd: work, encoding: "utf8" });
  const report = JSON.parse(check.stdout);
  if (report.files.length < 1000 || report.errors > 0) {
    throw new Error(`bench corpus is not clean: ${report.files.length} files, ${report.errors} errors`);
  }

  const nodeStart = median(RUNS, () => execFileSync(process.execPath, ["-e", "0"]));
  const cliStart = median(RUNS, () => execFileSync(process.execPath, [bin, "--version"], { cwd: work }));
  const checkTime = median(RUNS, () => spawnSync(process.execPath, [bin, "check", "--quiet"], { cwd: work }));

  console.log(`patron check over ${report.files.length} files (${report.campaigns.length} campaigns), median of ${RUNS} runs:`);
  console.log(`  node -e 0            ${fmt(nodeStart)}`);
  console.log(`  patron --version     ${fmt(cliStart)}   (${ratio(cliStart, nodeStart)} of bare node)`);
  console.log(`  patron check         ${fmt(checkTime)}   (${ratio(checkTime, cliStart)} of CLI start-up)`);
  console.log(`  target ≤ ${TARGET_SECONDS.toFixed(2)} s         measured/target = ${(checkTime / TARGET_SECONDS).toFixed(2)}`);
  return {
    name: "check 1,000 files",
    ok: checkTime <= TARGET_SECONDS,
    summary: `${fmt(checkTime)} whole process, ${(checkTime / TARGET_SECONDS).toFixed(2)}× the 1 s target`,
  };
}

function listCampaigns(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".campaign")) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

function median(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (s) => `${s.toFixed(3)} s`;
const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
