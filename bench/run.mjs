// `pnpm bench`: performance targets, measured in one run and printed as ratios (never asserted
// in unit tests: CI machines are shared and noisy). Run after `tsc -b` (the script does).
import { checkThousandFiles } from "./check-1000.mjs";

const results = [await checkThousandFiles()];
console.log("");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name}: ${r.summary}`);
