import { readdirSync, readFileSync } from "node:fs";
import { expectGolden } from "../../../test/support/golden.js";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DateTime } from "luxon";
import { describe, expect, test } from "vitest";
import { compileAudience, type CompiledSql } from "../src/audience/sql/index.js";
import { AUDIENCE_ENV, at, BUSINESS_ZONE, campaignOf, memoryStore, program } from "./fixtures/audience/support.js";

/*
 * Golden files of the SQL the compiler writes for representative campaigns: what a reviewer reads
 * to see how a campaign runs. Rewrite them with UPDATE_GOLDEN=1 and review the diff.
 */

const HERE = fileURLToPath(new URL(".", import.meta.url));
const CAMPAIGNS = join(HERE, "fixtures/audience/golden");
const GOLDEN = join(HERE, "golden/sql");

// 15 December 2026, 09:30 in Shanghai: still 14 December in Pago Pago, so local-date conditions branch.
const AS_OF = at("2026-12-15T09:30");
const ZONES = ["Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"];
const SEGMENTS = readFileSync(join(CAMPAIGNS, "segments.segments"), "utf8");

function render(file: string, source: string, query: CompiledSql): string {
  const instant = (v: unknown): string =>
    typeof v === "number" && v > 1e12 ? `  -- ${DateTime.fromMillis(v, { zone: BUSINESS_ZONE }).toISO()}` : "";
  return [
    `-- ${file}`,
    ...source
      .trimEnd()
      .split("\n")
      .map((line) => `--   ${line}`),
    `-- as of ${DateTime.fromMillis(AS_OF, { zone: BUSINESS_ZONE }).toISO()} (${BUSINESS_ZONE}); member zones: ${ZONES.join(", ")}`,
    "",
    `${query.sql};`,
    "",
    "-- parameters:",
    ...query.params.map((v, i) => `-- ${String(i + 1).padStart(3)}: ${JSON.stringify(v)}${instant(v)}`),
    "",
  ].join("\n");
}

describe("golden SQL", () => {
  const files = readdirSync(CAMPAIGNS)
    .filter((f) => f.endsWith(".campaign"))
    .sort();

  test.each(files)("%s", (file) => {
    const source = readFileSync(join(CAMPAIGNS, file), "utf8");
    const p = program(source, SEGMENTS);
    const query = compileAudience(campaignOf(p).rule.condition, {
      env: AUDIENCE_ENV,
      segments: p.segments,
      asOf: AS_OF,
      businessZone: BUSINESS_ZONE,
      zones: ZONES,
    });
    // The SQL is valid against the real schema.
    expect(() =>
      memoryStore()
        .prepare(query.sql)
        .all(...query.params),
    ).not.toThrow();

    const text = render(file, source, query);
    const golden = join(GOLDEN, `${basename(file, ".campaign")}.sql`);
    expectGolden(golden, text, { exact: true });
  });
});
