// `pnpm bench`: performance targets, measured in one run and printed as ratios (never asserted
// in unit tests: CI machines are shared and noisy). Run after the build (the script does).
//   BENCH_ONLY=check|audience|delivery   run one part
//   BENCH_MEMBERS=100000        scale the audience benchmark down (default 1,000,000; the
//                               generated database is cached in bench/out/)
import { audienceBenchmark } from "./audience.mjs";
import { checkThousandFiles } from "./check-1000.mjs";
import { deliveryBenchmark } from "./delivery.mjs";

const parts = { check: checkThousandFiles, audience: audienceBenchmark, delivery: deliveryBenchmark };
const only = process.env.BENCH_ONLY;
const results = [];
for (const [name, run] of Object.entries(parts)) {
  if (only && only !== name) continue;
  console.log(`\n── ${name} ──`);
  results.push(await run());
}
console.log("");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name}: ${r.summary}`);
