import { formatInstant, iterateAudience } from "@patron/engine";
import type { Io } from "../io.js";
import { chooseCampaign } from "../project/campaign.js";
import { openData, type DataOptions } from "../project/data.js";

export interface AudienceOptions extends DataOptions {
  readonly campaign?: string;
  readonly config?: string;
  readonly format: "text" | "json";
}

/**
 * `patron audience FILE`: the members the campaign's conditions select, before policies.
 * JSON: {"campaign":…,"asOf":…,"count":N,"members":["id",…]} with ids sorted. Ids are streamed
 * from SQLite as they are written, so a million-member audience never sits in memory.
 */
export function runAudience(file: string, options: AudienceOptions, io: Io): number {
  const chosen = chooseCampaign(file, options.campaign, options.config, io);
  if (!chosen) return 1;
  const data = openData(chosen.config, options, io.cwd, { mustExist: true });
  try {
    const ids = iterateAudience(data.db, chosen.campaign, { env: chosen.env, segments: chosen.segments, asOf: data.asOf });
    const asOf = formatInstant(data.asOf, data.zone);
    if (options.format === "json") {
      // The ids are kept as JSON text in chunks (about 12 bytes an id) rather than as an array
      // of strings, so a million-member audience costs megabytes, and "count" can come first.
      const chunks: string[] = [];
      let chunk: string[] = [];
      let count = 0;
      for (const id of ids) {
        chunk.push(JSON.stringify(id));
        count++;
        if (chunk.length === 10_000) {
          chunks.push(chunk.join(","));
          chunk = [];
        }
      }
      if (chunk.length > 0) chunks.push(chunk.join(","));
      io.write(`{"campaign":${JSON.stringify(chosen.campaign.id)},"asOf":${JSON.stringify(asOf)},"count":${count},"members":[`);
      chunks.forEach((c, i) => io.write(i === 0 ? c : `,${c}`));
      io.write("]}\n");
      return 0;
    }
    let count = 0;
    const sample: string[] = [];
    for (const id of ids) {
      if (sample.length < 20) sample.push(id);
      count++;
    }
    io.out(`${chosen.campaign.id}: ${count.toLocaleString("en-US")} member${count === 1 ? "" : "s"} as of ${asOf}`);
    if (count > 0) io.out(`  ${sample.join(", ")}${count > sample.length ? ", …" : ""}`);
    return 0;
  } finally {
    data.db.close();
  }
}
