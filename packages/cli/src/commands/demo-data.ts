import { DEMO_BUSINESS, formatInstant, generateDemoData } from "@patron/engine";
import type { Io } from "../io.js";
import { requireProject } from "../project/project.js";
import { openData, type DataOptions } from "../project/data.js";
import { UsageError } from "../project/files.js";
import { wholeNumber } from "../project/numbers.js";

export interface DemoDataOptions extends DataOptions {
  readonly members: string;
  readonly seed: string;
  readonly replace: boolean;
  readonly config?: string;
  readonly format: "text" | "json";
}

/**
 * `patron demo-data --members N --seed S`: fills the store with realistic generated members,
 * purchases, point lots and referrals for the example business, the same for the same seed and
 * as-of. Refuses a store that already holds data unless --replace.
 */
export function runDemoData(options: DemoDataOptions, io: Io): number {
  const members = wholeNumber(options.members, "--members");
  const seed = wholeNumber(options.seed, "--seed");
  const project = requireProject(options.config, io);
  if (!project) return 1;
  const data = openData(project.config, options, io.cwd, { mustExist: false });
  const progress = io.progress;
  try {
    const summary = generateDemoData(data.db, {
      members,
      seed,
      asOf: data.asOf,
      business: DEMO_BUSINESS,
      replace: options.replace,
      ...(progress
        ? { onProgress: (p) => progress(`${p.phase}: ${p.done.toLocaleString("en-US")} / ${p.total.toLocaleString("en-US")}`) }
        : {}),
    });
    progress?.("");
    if (options.format === "json") {
      io.out(JSON.stringify({ db: data.dbPath, asOf: formatInstant(data.asOf, data.zone), seed, ...summary }, null, 2));
    } else {
      const n = (x: number): string => x.toLocaleString("en-US");
      io.out(`demo data in ${data.dbPath} (seed ${seed}, as of ${formatInstant(data.asOf, data.zone)}):`);
      io.out(
        `  ${n(summary.members)} members, ${n(summary.purchases)} purchases, ${n(summary.pointLots)} point lots, ${n(summary.referrals)} referrals`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof Error && /already holds member data/.test(error.message)) throw new UsageError(`${error.message}: pass --replace`);
    throw error;
  } finally {
    data.db.close();
  }
}
