import { IMPORT_KINDS, importCsv, ImportError, parseMapOptions, summaryText, type ImportKind } from "@patron/engine";
import { resolve } from "node:path";
import type { Io } from "../io.js";
import { requireProject } from "../project/project.js";
import { openData } from "../project/data.js";
import { UsageError } from "../project/files.js";

export interface ImportCommandOptions {
  readonly db?: string;
  readonly config?: string;
  readonly map: readonly string[];
  readonly dateFormat?: string;
  readonly timezone?: string;
  readonly createMembers: boolean;
  readonly format: "text" | "json";
}

/**
 * `patron import members|purchases|points FILE.csv`: streams the file into the store. Rows that
 * do not fit are reported with their line and reason and written to FILE.rejects.csv; the
 * command still succeeds (exit 0) — a file that cannot be imported at all exits 1.
 */
export async function runImport(kind: string, file: string, options: ImportCommandOptions, io: Io): Promise<number> {
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`cannot import "${kind}": import one of ${IMPORT_KINDS.join(", ")}`);
  }
  const project = requireProject(options.config, io);
  if (!project) return 1;
  const config = project.config;
  const data = openData(config, { ...(options.db ? { db: options.db } : {}) }, io.cwd, { mustExist: false });
  const progress = io.progress;
  try {
    const summary = await importCsv(data.db, {
      kind: kind as ImportKind,
      file: resolve(io.cwd, file),
      config: { timezone: config.timezone, tiers: config.tiers, members: { fields: config.members.fields } },
      map: parseMapOptions(options.map),
      ...(options.dateFormat ? { dateFormat: options.dateFormat } : {}),
      ...(options.timezone ? { timezone: options.timezone } : {}),
      createMembers: options.createMembers,
      ...(progress ? { onProgress: (rows: number) => progress(`${kind}: ${rows.toLocaleString("en-US")} rows read`) } : {}),
    });
    progress?.("");
    io.out(options.format === "json" ? JSON.stringify(summary, null, 2) : summaryText(summary));
    return 0;
  } catch (error) {
    if (error instanceof ImportError) {
      io.err(`patron import: ${error.message}${error.help ? `\n  help: ${error.help}` : ""}`);
      return 1;
    }
    throw error;
  } finally {
    data.db.close();
  }
}
