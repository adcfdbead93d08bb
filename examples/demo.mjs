// `pnpm demo`: the main job on the embedded default, step by step, through the real CLI.
// Checks and format-checks the example campaigns, generates a reproducible member base for the
// example business, and shows who each campaign selects and why one member is selected.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const campaigns = join(root, "campaigns");
const bin = join(root, "packages/cli/bin/patron.js");
const AS_OF = "2026-11-22T09:30:00+08:00";
const MEMBERS = process.env.DEMO_MEMBERS ?? "20000";

function step(title, args, { json = false } = {}) {
  console.log(`\n\x1b[1m$ patron ${args.join(" ")}\x1b[0m   # ${title}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: campaigns, encoding: "utf8", stdio: json ? "pipe" : "inherit" });
  if (r.status !== 0) {
    if (json) process.stderr.write(r.stderr);
    console.error(`\nthe demo stopped: patron ${args[0]} exited with ${r.status}`);
    process.exit(r.status ?? 1);
  }
  return json ? JSON.parse(r.stdout) : undefined;
}

step("parse and check every campaign", ["check"]);
step("every file is in canonical format", ["fmt", "--check"]);
step("a reproducible member base for the example business", [
  "demo-data",
  "--members",
  MEMBERS,
  "--seed",
  "1",
  "--replace",
  "--as-of",
  AS_OF,
]);

console.log(`\n\x1b[1maudiences as of ${AS_OF}\x1b[0m (before policies)`);
const { campaigns: ready } = step("the campaigns that are ready", ["check", "--format", "json"], { json: true });
let example;
for (const c of ready) {
  const r = spawnSync(
    process.execPath,
    [bin, "audience", c.file.replace(/^.*campaigns\//, ""), "--campaign", c.id, "--as-of", AS_OF, "--format", "json"],
    {
      cwd: campaigns,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  const audience = JSON.parse(r.stdout);
  console.log(`  ${c.id.padEnd(24)} ${String(audience.count).padStart(6)} members`);
  if (!example && audience.count > 0 && c.id === "shampoo-cross-sell") example = { file: c.file, member: audience.members[0] };
}
if (example) step("why this member is selected", ["explain", "shampoo-cross-sell.campaign", "--member", example.member, "--as-of", AS_OF]);

step("the whole run without sending: funnel and sample messages", [
  "dry-run",
  "shampoo-refill.campaign",
  "points-expiry-reminder.campaign",
  "--as-of",
  AS_OF,
]);
step("the same for every campaign, as one HTML report", ["dry-run", "--as-of", AS_OF, "--format", "html", "--out", "patron-dry-run.html"]);
console.log(
  `\nopen campaigns/patron-dry-run.html in a browser: the funnel of every campaign and previews of its SMS, email and WeChat messages`,
);
