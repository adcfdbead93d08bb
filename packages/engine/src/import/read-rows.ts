import { Cells, RowReject } from "./cells.js";
import type { ColumnPlan } from "./columns.js";
import { CsvTokenizer, readCsvText } from "./csv-reader.js";
import type { CsvRecord } from "./csv-reader.js";
import { createDateReader } from "./dates.js";
import { BatchWriter } from "./batches.js";
import type { RowBatch } from "./batches.js";
import type { RowParser, SqlValue } from "./rows.js";
import type { ImportConfig, ImportKind } from "./types.js";

/*
 * The reading side of an import: everything that does not need the store. It reads the file,
 * decodes and tokenizes it, and parses each row with its kind's RowParser into a batch (rows.ts)
 * per chunk of the file. It runs in a worker thread (import-worker.ts) while the importer's
 * thread writes, or in the importer's thread itself when there is no worker (row-source.ts).
 */

/** What the reading side needs: plain data, so that it can be posted to a worker. */
export interface ReadJob {
  readonly file: string;
  readonly kind: ImportKind;
  /** The zone of dates without an offset. */
  readonly zone: string;
  readonly dateFormat: string | undefined;
  readonly config: ImportConfig;
}

export type ReadMessage =
  /** The header record: answered with the plan made of it (ReadRows.next(plan)), or the end. */
  | { readonly type: "header"; readonly fields: readonly string[]; readonly malformed: string | undefined }
  | RowBatch
  /** The file has been read (a header was never found when no header message came). */
  | { readonly type: "end"; readonly blankLines: number };

export type ReadRows = AsyncGenerator<ReadMessage, void, ColumnPlan | undefined>;

/** Pieces (of about 8 KiB) of the file's first chunk in the first batch: about 64 KiB. */
const FIRST_BATCH_PIECES = 8;

/** A chunk's pieces, each with whether it is the last text of the file. */
function* parts(chunk: { readonly pieces: Iterable<string>; readonly final: boolean }): Generator<[string, boolean]> {
  for (const piece of chunk.pieces) yield [piece, false];
  if (chunk.final) yield ["", true];
}

/** The kind's RowParser; a members file loads its module (and the campaign language's suggestions) only then. */
async function parserOf(job: ReadJob, plan: ColumnPlan): Promise<RowParser> {
  switch (job.kind) {
    case "members":
      return (await import("./members.js")).memberParser(plan, job.config);
    case "purchases":
      return (await import("./purchases.js")).purchaseParser(plan);
    case "points":
      return (await import("./points.js")).pointsParser(plan);
  }
}

/**
 * Yields the header record (to be answered with next(plan); an answer of undefined stops), then
 * a batch per chunk of the file, then the end. File-level problems throw their ImportError.
 */
export async function* readRows(job: ReadJob): ReadRows {
  const cells = new Cells(createDateReader(job.zone, job.dateFormat));
  const tokenizer = new CsvTokenizer(true);
  let parser: RowParser | undefined;
  let writer: BatchWriter | undefined;
  let width = 0;
  const values: SqlValue[] = [];
  // The text of the chunk being read (with the start of a record the chunk before left), for
  // the batch, and where it starts in all the text pushed.
  let text: string[] = [];
  let textStart = 0;

  const onRecord = (record: CsvRecord): void => {
    const rows = writer as BatchWriter;
    if (record.malformed !== undefined) {
      rows.reject(record.line, "malformed-csv", `malformed CSV: ${record.malformed}`, record.fields);
      return;
    }
    const fields = record.fields;
    // Cells past the last named column may be there if blank (a trailing comma); missing cells may not.
    if (fields.length !== width && (fields.length < width || fields.slice(width).some((f) => f.trim() !== ""))) {
      rows.reject(record.line, "column-count", `the row has ${fields.length} cells but the header has ${width} columns`, fields);
      return;
    }
    cells.fields = fields;
    try {
      (parser as RowParser).read(cells, values);
    } catch (error) {
      if (!(error instanceof RowReject)) throw error;
      rows.reject(record.line, error.code, error.reason, fields, error.choice);
      return;
    }
    rows.add(record.line, values, (record.start as number) - textStart, (record.end as number) - textStart);
  };

  // Records read before the header was answered (it is on the first line, or after blank ones).
  const early: CsvRecord[] = [];
  const collect = (r: CsvRecord): void => {
    early.push(r);
  };
  let first = true; // the first batch is taken after FIRST_BATCH_PIECES pieces, so the store starts sooner
  for await (const chunk of readCsvText(job.file)) {
    text = [tokenizer.pendingText];
    textStart = tokenizer.pendingStart;
    let pieces = 0;
    for (const [piece, last] of parts(chunk)) {
      text.push(piece);
      // Each record is parsed as soon as it is read, so none outlives its row.
      tokenizer.push(piece, last, writer === undefined ? collect : onRecord);
      const header = early[0];
      if (writer === undefined && header !== undefined) {
        const plan = yield { type: "header", fields: header.fields, malformed: header.malformed };
        if (plan === undefined) return;
        parser = await parserOf(job, plan);
        writer = new BatchWriter(parser.types);
        width = plan.width;
        for (let i = 1; i < early.length; i++) onRecord(early[i] as CsvRecord);
        early.length = 0;
      }
      if (first && writer !== undefined && ++pieces === FIRST_BATCH_PIECES) {
        first = false;
        // Rows of this chunk after these keep their places in its text, taken in full at its end.
        yield writer.take(text.join(""));
      }
    }
    if (writer !== undefined) yield writer.take(text.join(""));
  }
  yield { type: "end", blankLines: tokenizer.blankLines };
}
