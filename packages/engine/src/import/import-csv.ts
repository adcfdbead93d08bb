import { resolve } from "node:path";
import { refreshStatistics } from "../store/statistics.js";
import type { Db } from "../store/store.js";
import { RowReject } from "./cells.js";
import { choiceHelp } from "./choice-help.js";
import { REQUIRED_COLUMNS, resolveColumns } from "./columns.js";
import type { ColumnPlan } from "./columns.js";
import { createDateReader } from "./dates.js";
import type { Counts, HandlerContext, KindHandler } from "./handler.js";
import { MEMBER_STAGE, memberParser, membersHandler } from "./members.js";
import { POINTS_STAGE, pointsHandler, pointsParser } from "./points.js";
import { PURCHASE_ORDERED_INDEXES, PURCHASE_STAGE, purchaseParser, purchasesHandler } from "./purchases.js";
import { beginBulk, isEmpty } from "./bulk.js";
import type { Bulk } from "./bulk.js";
import type { ReadJob } from "./read-rows.js";
import { RejectsWriter } from "./rejects.js";
import { openRowSource } from "./row-source.js";
import type { Reading } from "./row-source.js";
import { BatchReader } from "./batches.js";
import type { BatchReject, RowBatch } from "./batches.js";
import type { RowParser, SqlValue } from "./rows.js";
import { attachStage } from "./stage.js";
import type { Stage } from "./stage.js";
import { IMPORT_KINDS, ImportError } from "./types.js";
import type { ImportConfig, ImportKind, ImportOptions, ImportSummary, RejectCode, RejectedRow } from "./types.js";

interface Kind {
  readonly table: string;
  /** Indexes a bulk load keeps while the rows come in their order (bulk.ts). */
  readonly ordered: readonly string[];
  /** The stage tables an import into a table with rows needs (stage.ts); a bulk load needs none. */
  readonly stage: string;
  readonly handler: (ctx: HandlerContext) => KindHandler;
  /** The reading side's parser (read-rows.ts): the importer needs the types of its values. */
  readonly parser: (plan: ColumnPlan, config: ImportConfig) => RowParser;
}

const KINDS: Readonly<Record<ImportKind, Kind>> = {
  members: { table: "members", ordered: [], stage: MEMBER_STAGE, handler: membersHandler, parser: memberParser },
  purchases: {
    table: "purchases",
    ordered: PURCHASE_ORDERED_INDEXES,
    stage: PURCHASE_STAGE,
    handler: purchasesHandler,
    parser: purchaseParser,
  },
  points: { table: "point_lots", ordered: [], stage: POINTS_STAGE, handler: pointsHandler, parser: pointsParser },
};

/** FILE.csv → FILE.rejects.csv (or FILE.rejects.csv appended to another name), beside the input. */
export function defaultRejectsFile(file: string): string {
  const absolute = resolve(file);
  return /\.csv$/i.test(absolute) ? `${absolute.slice(0, -4)}.rejects.csv` : `${absolute}.rejects.csv`;
}

/**
 * Imports a members, purchases or points CSV into the store. Streams the file (memory does not
 * grow with it), reading and parsing it in a worker thread while this one writes (row-source.ts),
 * commits one transaction per batch of about 1 MiB of rows (or, into an empty table, one
 * transaction for the whole file: see bulk.ts), refreshes the planner's statistics of what it
 * wrote, and returns what happened to every row. Rows that cannot be imported are rejected with
 * their line and reason (in the summary and in the rejects CSV); a problem with the whole file or
 * the options throws an ImportError before any row is imported. The connection must not be used
 * for anything else while an import runs.
 */
export async function importCsv(db: Db, options: ImportOptions): Promise<ImportSummary> {
  return importCsvReading(db, options, "auto");
}

/** importCsv, reading the file in a worker thread or in this one (row-source.ts); for tests. */
export async function importCsvReading(db: Db, options: ImportOptions, reading: Reading): Promise<ImportSummary> {
  const started = performance.now();
  const { kind, config } = options;
  if (!IMPORT_KINDS.includes(kind)) {
    throw new ImportError("bad-option", `cannot import "${String(kind)}"`, `import one of ${IMPORT_KINDS.join(", ")}`);
  }
  const zone = options.timezone ?? config.timezone;
  createDateReader(zone, options.dateFormat); // throws for a bad zone or format, before anything else
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
  let blankLines = 0;

  let plan: ColumnPlan | undefined;
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
  /** Imports a batch's rows and the reading side's rejects among them, in file order. */
  const importBatch = (rows: RowBatch, batch: BatchReader, handler: KindHandler, values: SqlValue[]): void => {
    batch.load(rows);
    read += rows.count + rows.rejects.length;
    let next = 0; // the next of the reading side's rejects
    for (let i = 0; i <= rows.count; i++) {
      // The handler may hold rows back: they go first, so rejects are reported in file order.
      for (; next < rows.rejects.length && (rows.rejects[next] as BatchReject).before === i; next++) {
        const r = rows.rejects[next] as BatchReject;
        handler.flush();
        rejectRow(r.line, r.fields, r.code, r.choice === undefined ? r.reason : r.reason + choiceHelp(r.choice));
      }
      if (i === rows.count) break;
      batch.read(i, values);
      const line = rows.lines[i] as number;
      try {
        handler.row(line, values, i);
      } catch (error) {
        if (!(error instanceof RowReject)) throw error;
        handler.flush();
        rejectRow(line, batch.cells(i), error.code, error.reason);
      }
    }
  };

  RejectsWriter.removeStale(rejectsPath);
  const job: ReadJob = {
    file,
    kind,
    zone,
    dateFormat: options.dateFormat,
    // Only what the reading side uses, as plain data (it may be posted to a worker).
    config: {
      timezone: config.timezone,
      tiers: [...config.tiers],
      members: {
        fields: config.members.fields.map((f) => ({ name: f.name, type: f.type, ...(f.values ? { values: [...f.values] } : {}) })),
      },
    },
  };
  const source = openRowSource(job, reading);
  try {
    let message = await source.next();
    if (message.type === "header") {
      if (message.malformed !== undefined)
        throw new ImportError("malformed-header", `the header row is not valid CSV: ${message.malformed}`);
      plan = resolveColumns(kind, message.fields, options.map ?? {}, config.members.fields);
      const freshTable = isEmpty(db, KINDS[kind].table);
      if (!freshTable) stage = attachStage(db, KINDS[kind].stage);
      if (freshTable) {
        const alsoMembers = options.createMembers === true && kind !== "members" && isEmpty(db, "members");
        bulk = beginBulk(db, alsoMembers ? [KINDS[kind].table, "members"] : [KINDS[kind].table], KINDS[kind].ordered);
      }
      const createMembers = options.createMembers ?? false;
      const dropIndex = (name: string): void => bulk?.drop(name);
      const types = KINDS[kind].parser(plan, config).types;
      const batch = new BatchReader(types);
      const cellsAt = (at: number): readonly string[] => batch.cells(at);
      const handler = KINDS[kind].handler({ db, plan, counts, config, createMembers, freshTable, reject: rejectRow, cellsAt, dropIndex });
      const values = new Array<SqlValue>(types.length).fill(null);
      rejects = new RejectsWriter(rejectsPath, plan.header);
      message = await source.next(plan);
      while (message.type === "rows") {
        const rows = message;
        db.transaction(() => {
          importBatch(rows, batch, handler, values);
          handler.flush();
        })();
        source.written();
        rejects.flush();
        options.onProgress?.(read);
        message = await source.next();
      }
      if (message.type !== "end") throw new Error("internal: a second header");
      db.transaction(() => handler.finish())();
      bulk?.rebuild();
      bulk?.commit();
      bulk = undefined;
      if (counts.inserted + counts.updated + counts.merged + counts.membersCreated > 0) {
        refreshStatistics(db, counts.membersCreated > 0 ? [KINDS[kind].table, "members"] : [KINDS[kind].table]);
      }
    }
    if (message.type !== "end") throw new Error("internal: rows before the header");
    blankLines = message.blankLines;
    if (plan === undefined) {
      throw new ImportError(
        "empty-file",
        `${file} is empty: there is no header row`,
        `the first line names the columns, e.g. ${REQUIRED_COLUMNS[kind].join(",")}`,
      );
    }
  } finally {
    await source.close();
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
    blankLines,
    undeclaredColumns: plan.extra.map((e) => e.name),
    ignoredColumns: plan.ignored,
    timezone: zone,
    elapsedMs: Math.round(performance.now() - started),
  };
}
