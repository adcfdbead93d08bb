import { resolve } from "node:path";
import { refreshStatistics } from "../store/statistics.js";
import type { Db } from "../store/store.js";
import { Cells, RowReject } from "./cells.js";
import { REQUIRED_COLUMNS, resolveColumns } from "./columns.js";
import type { ColumnPlan } from "./columns.js";
import { CsvTokenizer, readCsvText } from "./csv-reader.js";
import type { CsvRecord } from "./csv-reader.js";
import { createDateReader } from "./dates.js";
import type { Counts, HandlerContext, KindHandler } from "./handler.js";
import { MEMBER_STAGE, membersHandler } from "./members.js";
import { POINTS_STAGE, pointsHandler } from "./points.js";
import { PURCHASE_ORDERED_INDEXES, PURCHASE_STAGE, purchasesHandler } from "./purchases.js";
import { beginBulk, isEmpty } from "./bulk.js";
import type { Bulk } from "./bulk.js";
import { RejectsWriter } from "./rejects.js";
import { attachStage } from "./stage.js";
import type { Stage } from "./stage.js";
import { IMPORT_KINDS, ImportError } from "./types.js";
import type { ImportKind, ImportOptions, ImportSummary, RejectCode, RejectedRow } from "./types.js";

interface Kind {
  readonly table: string;
  /** Indexes a bulk load keeps while the rows come in their order (bulk.ts). */
  readonly ordered: readonly string[];
  /** The stage tables an import into a table with rows needs (stage.ts); a bulk load needs none. */
  readonly stage: string;
  readonly handler: (ctx: HandlerContext) => KindHandler;
}

const KINDS: Readonly<Record<ImportKind, Kind>> = {
  members: { table: "members", ordered: [], stage: MEMBER_STAGE, handler: membersHandler },
  purchases: { table: "purchases", ordered: PURCHASE_ORDERED_INDEXES, stage: PURCHASE_STAGE, handler: purchasesHandler },
  points: { table: "point_lots", ordered: [], stage: POINTS_STAGE, handler: pointsHandler },
};

/** FILE.csv → FILE.rejects.csv (or FILE.rejects.csv appended to another name), beside the input. */
export function defaultRejectsFile(file: string): string {
  const absolute = resolve(file);
  return /\.csv$/i.test(absolute) ? `${absolute.slice(0, -4)}.rejects.csv` : `${absolute}.rejects.csv`;
}

/**
 * Imports a members, purchases or points CSV into the store. Streams the file (memory does not
 * grow with it), commits one transaction per batch of about 1 MiB of rows (or, into an empty
 * table, one transaction for the whole file: see bulk.ts), refreshes the planner's statistics
 * of what it wrote, and returns what happened to every row. Rows that cannot be imported are
 * rejected with their line and reason
 * (in the summary and in the rejects CSV); a problem with the whole file or the options throws
 * an ImportError before any row is imported. The connection must not be used for anything else
 * while an import runs.
 */
export async function importCsv(db: Db, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { kind, config } = options;
  if (!IMPORT_KINDS.includes(kind)) {
    throw new ImportError("bad-option", `cannot import "${String(kind)}"`, `import one of ${IMPORT_KINDS.join(", ")}`);
  }
  const zone = options.timezone ?? config.timezone;
  const dates = createDateReader(zone, options.dateFormat);
  const file = resolve(options.file);
  const rejectsPath = options.rejectsFile === undefined ? defaultRejectsFile(file) : resolve(options.rejectsFile);
  if (rejectsPath === file)
    throw new ImportError("bad-option", `the rejects file would overwrite the input ${file}`, "give another --rejects path");
  const shownLimit = options.rejectsShown ?? 20;

  const counts: Counts = { inserted: 0, updated: 0, unchanged: 0, merged: 0, returns: 0, zeroAmount: 0, membersCreated: 0 };
  const byReason: Partial<Record<RejectCode, number>> = {};
  const shown: RejectedRow[] = [];
  let read = 0;
  let rejected = 0;
  const tokenizer = new CsvTokenizer();
  const cells = new Cells(dates);

  let plan: ColumnPlan | undefined;
  let handler: KindHandler | undefined;
  let stage: Stage | undefined;
  let bulk: Bulk | undefined;
  let rejects: RejectsWriter | undefined;
  let wroteRejects = false;

  const rejectRow = (line: number, fields: readonly string[], code: RejectCode, reason: string): void => {
    rejected++;
    byReason[code] = (byReason[code] ?? 0) + 1;
    if (shown.length < shownLimit) shown.push({ line, code, reason });
    rejects?.add(line, reason, fields);
  };
  // The handler may hold rows back: they go first, so rejects are reported in file order.
  const reject = (record: CsvRecord, rows: KindHandler, code: RejectCode, reason: string): void => {
    rows.flush();
    rejectRow(record.line, record.fields, code, reason);
  };

  const importRecord = (record: CsvRecord, columns: number, rows: KindHandler): void => {
    read++;
    if (record.malformed !== undefined) {
      reject(record, rows, "malformed-csv", `malformed CSV: ${record.malformed}`);
      return;
    }
    const fields = record.fields;
    // Cells past the last named column may be there if blank (a trailing comma); missing cells may not.
    if (fields.length !== columns && (fields.length < columns || fields.slice(columns).some((f) => f.trim() !== ""))) {
      reject(record, rows, "column-count", `the row has ${fields.length} cells but the header has ${columns} columns`);
      return;
    }
    cells.fields = fields;
    try {
      rows.row(record.line, fields);
    } catch (error) {
      if (!(error instanceof RowReject)) throw error;
      reject(record, rows, error.code, error.reason);
    }
  };

  RejectsWriter.removeStale(rejectsPath);
  try {
    for await (const { pieces, final } of readCsvText(file)) {
      if (plan === undefined) {
        // Until the header is read, records are collected (it is on the first line, or after blank ones).
        const batch: CsvRecord[] = [];
        const collect = (r: CsvRecord): number => batch.push(r);
        for (const piece of pieces) tokenizer.push(piece, false, collect);
        if (final) tokenizer.push("", true, collect);
        const header = batch[0];
        if (header === undefined) continue;
        if (header.malformed !== undefined)
          throw new ImportError("malformed-header", `the header row is not valid CSV: ${header.malformed}`);
        plan = resolveColumns(kind, header.fields, options.map ?? {}, config.members.fields);
        const freshTable = isEmpty(db, KINDS[kind].table);
        if (!freshTable) stage = attachStage(db, KINDS[kind].stage);
        if (freshTable) {
          const alsoMembers = options.createMembers === true && kind !== "members" && isEmpty(db, "members");
          bulk = beginBulk(db, alsoMembers ? [KINDS[kind].table, "members"] : [KINDS[kind].table], KINDS[kind].ordered);
        }
        const createMembers = options.createMembers ?? false;
        const dropIndex = (name: string): void => bulk?.drop(name);
        const rows = KINDS[kind].handler({ db, plan, cells, counts, config, createMembers, freshTable, reject: rejectRow, dropIndex });
        handler = rows;
        rejects = new RejectsWriter(rejectsPath, plan.header);
        const columns = plan.width;
        db.transaction(() => {
          for (let i = 1; i < batch.length; i++) importRecord(batch[i] as CsvRecord, columns, rows);
          rows.flush();
        })();
      } else {
        // Each record is imported as soon as it is read, so none outlives its row.
        const rows = handler as KindHandler;
        const columns = plan.width;
        const onRecord = (record: CsvRecord): void => importRecord(record, columns, rows);
        db.transaction(() => {
          for (const piece of pieces) tokenizer.push(piece, false, onRecord);
          if (final) tokenizer.push("", true, onRecord);
          rows.flush();
        })();
      }
      rejects?.flush();
      options.onProgress?.(read);
    }
    if (plan === undefined || handler === undefined) {
      throw new ImportError(
        "empty-file",
        `${file} is empty: there is no header row`,
        `the first line names the columns, e.g. ${REQUIRED_COLUMNS[kind].join(",")}`,
      );
    }
    const rows = handler;
    db.transaction(() => rows.finish())();
    bulk?.rebuild();
    bulk?.commit();
    bulk = undefined;
    if (counts.inserted + counts.updated + counts.merged + counts.membersCreated > 0) {
      refreshStatistics(db, counts.membersCreated > 0 ? [KINDS[kind].table, "members"] : [KINDS[kind].table]);
    }
  } finally {
    wroteRejects = rejects?.close() ?? false;
    if (bulk !== undefined) {
      // A failed bulk load imported nothing, so the rows it rejected so far mean nothing either.
      bulk.rollback();
      RejectsWriter.removeStale(rejectsPath);
    }
    stage?.close();
  }

  return {
    kind,
    file,
    read,
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: counts.unchanged,
    merged: counts.merged,
    rejected,
    rejectedByReason: byReason,
    rejects: shown,
    rejectsFile: wroteRejects ? rejectsPath : null,
    returns: counts.returns,
    zeroAmount: counts.zeroAmount,
    membersCreated: counts.membersCreated,
    blankLines: tokenizer.blankLines,
    undeclaredColumns: plan.extra.map((e) => e.name),
    ignoredColumns: plan.ignored,
    timezone: zone,
    elapsedMs: Math.round(performance.now() - started),
  };
}
