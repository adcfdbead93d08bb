import { basename, resolve } from "node:path";
import { CsvTokenizer, readCsvBatches, type CsvRecord } from "../import/csv-reader.js";
import { createDateReader } from "../import/dates.js";
import { defaultRejectsFile } from "../import/import-csv.js";
import { RejectsWriter } from "../import/rejects.js";
import { ImportError } from "../import/types.js";
import type { Db } from "../store/store.js";
import { formatInstant } from "../time/as-of.js";

/*
 * A redemptions CSV: which issued coupon codes were used at the till, and when.
 *
 *   code,redeemed_at[,member_id][,order_id]
 *
 * Header names are matched without regard to case or surrounding blanks; other columns are
 * ignored and listed in the summary. Dates are ISO 8601 (or --date-format), read in the
 * business zone when they carry no offset, as in `patron import`. A row is rejected, with its
 * line and reason, and written to FILE.rejects.csv beside the input, when:
 *   - it is not CSV, or has more cells than the header has columns;
 *   - code or redeemed_at is empty, or redeemed_at is not a date;
 *   - the code is not one Patron issued (coupon_codes): a rate of "redeemed of issued" cannot
 *     count it;
 *   - member_id is given and is not the member the code was issued to;
 *   - it says the code was redeemed before it was issued;
 *   - the code is already recorded as redeemed at another time (a code is redeemed once; the
 *     first stays). The same code at the same time again is "unchanged": re-importing a file
 *     changes nothing.
 */

export type RedemptionRejectCode =
  "malformed-csv" | "column-count" | "missing-value" | "bad-date" | "unknown-code" | "wrong-member" | "before-issue" | "already-redeemed";

export interface RedemptionImportSummary {
  readonly file: string;
  /** Data rows read (header and blank lines not counted): read = inserted + unchanged + rejected. */
  readonly read: number;
  readonly inserted: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RedemptionRejectCode, number>>>;
  /** The first rejects (up to 20), in file order; all of them are in the rejects file. */
  readonly rejects: readonly { readonly line: number; readonly code: RedemptionRejectCode; readonly reason: string }[];
  readonly rejectsFile: string | null;
  readonly ignoredColumns: readonly string[];
  readonly timezone: string;
}

export interface RedemptionImportOptions {
  readonly file: string;
  /** The business zone: dates without an offset are read there. */
  readonly timezone: string;
  readonly dateFormat?: string;
  /** Default: FILE.rejects.csv beside the input. */
  readonly rejectsFile?: string;
  /** The moment of the import (recorded on the rows); default now. */
  readonly now?: number;
}

const REQUIRED = ["code", "redeemed_at"] as const;
const OPTIONAL = ["member_id", "order_id"] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const SHOWN = 20;

class Reject {
  constructor(
    readonly code: RedemptionRejectCode,
    readonly reason: string,
  ) {}
}

/** Imports a redemptions CSV into coupon_redemptions (see above). Throws ImportError for a file that cannot be read at all. */
export async function importRedemptions(db: Db, options: RedemptionImportOptions): Promise<RedemptionImportSummary> {
  const file = resolve(options.file);
  const rejectsPath = options.rejectsFile === undefined ? defaultRejectsFile(file) : resolve(options.rejectsFile);
  const dates = createDateReader(options.timezone, options.dateFormat);
  const now = options.now ?? Date.now();
  const source = basename(file);
  const issuedStmt = db.prepare<[string], { member_id: string; issued_at: number }>(
    "SELECT member_id, issued_at FROM coupon_codes WHERE code = ?",
  );
  const recordedStmt = db.prepare<[string], number>("SELECT redeemed_at FROM coupon_redemptions WHERE code = ?").pluck();
  const insert = db.prepare("INSERT INTO coupon_redemptions (code, redeemed_at, order_id, source, imported_at) VALUES (?, ?, ?, ?, ?)");

  let columns: Map<Column, number> | undefined;
  let width = 0;
  let rejects: RejectsWriter | undefined;
  let ignoredColumns: string[] = [];
  const counts = { read: 0, inserted: 0, unchanged: 0, rejected: 0 };
  const byReason: Partial<Record<RedemptionRejectCode, number>> = {};
  const shown: { line: number; code: RedemptionRejectCode; reason: string }[] = [];

  const cell = (fields: readonly string[], column: Column): string => {
    const index = columns?.get(column);
    return index === undefined ? "" : (fields[index] ?? "").trim();
  };

  const importRow = (record: CsvRecord): void => {
    const fields = record.fields;
    if (record.malformed !== undefined) throw new Reject("malformed-csv", `malformed CSV: ${record.malformed}`);
    if (fields.length > width && fields.slice(width).some((f) => f.trim() !== "")) {
      throw new Reject("column-count", `the row has ${fields.length} cells but the header has ${width} columns`);
    }
    const code = cell(fields, "code");
    if (code === "") throw new Reject("missing-value", "code is empty");
    const when = cell(fields, "redeemed_at");
    if (when === "") throw new Reject("missing-value", "redeemed_at is empty");
    const redeemedAt = dates.instant(when);
    if (redeemedAt === undefined) throw new Reject("bad-date", `redeemed_at "${when}" is not a date: ${dates.expectedInstant}`);
    const issued = issuedStmt.get(code);
    if (!issued) throw new Reject("unknown-code", `code "${code}" was not issued by Patron (no such code in any run)`);
    const member = cell(fields, "member_id");
    if (member !== "" && member !== issued.member_id) {
      throw new Reject("wrong-member", `code "${code}" was issued to member ${issued.member_id}, not ${member}`);
    }
    if (redeemedAt < issued.issued_at) {
      throw new Reject(
        "before-issue",
        `code "${code}" was issued at ${formatInstant(issued.issued_at, options.timezone)}, after this redemption`,
      );
    }
    const recorded = recordedStmt.get(code);
    if (recorded !== undefined) {
      if (recorded === redeemedAt) {
        counts.unchanged++;
        return;
      }
      throw new Reject("already-redeemed", `code "${code}" was already redeemed at ${formatInstant(recorded, options.timezone)}`);
    }
    const order = cell(fields, "order_id");
    insert.run(code, redeemedAt, order === "" ? null : order, source, now);
    counts.inserted++;
  };

  const handle = (record: CsvRecord): void => {
    counts.read++;
    try {
      importRow(record);
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      counts.rejected++;
      byReason[error.code] = (byReason[error.code] ?? 0) + 1;
      if (shown.length < SHOWN) shown.push({ line: record.line, code: error.code, reason: error.reason });
      rejects?.add(record.line, error.reason, record.fields);
    }
  };

  RejectsWriter.removeStale(rejectsPath);
  let wroteRejects = false;
  const tokenizer = new CsvTokenizer();
  try {
    for await (const batch of readCsvBatches(file, tokenizer)) {
      let records: readonly CsvRecord[] = batch;
      if (columns === undefined) {
        const header = batch[0] as CsvRecord;
        if (header.malformed !== undefined)
          throw new ImportError("malformed-header", `the header row is not valid CSV: ${header.malformed}`);
        const names = header.fields.map((h) => h.trim());
        columns = headerColumns(names);
        width = names.length;
        ignoredColumns = names.filter((n) => n !== "" && !columns?.has(n.toLowerCase() as Column));
        rejects = new RejectsWriter(rejectsPath, header.fields);
        records = batch.slice(1);
      }
      db.transaction(() => records.forEach(handle))();
      rejects?.flush();
    }
    if (columns === undefined) {
      throw new ImportError("empty-file", `${file} is empty: there is no header row`, `the first line names the columns: code,redeemed_at`);
    }
  } finally {
    wroteRejects = rejects?.close() ?? false;
  }
  return {
    file,
    ...counts,
    rejectedByReason: byReason,
    rejects: shown,
    rejectsFile: wroteRejects ? rejectsPath : null,
    ignoredColumns,
    timezone: options.timezone,
  };
}

function headerColumns(names: readonly string[]): Map<Column, number> {
  const columns = new Map<Column, number>();
  names.forEach((name, index) => {
    const lower = name.toLowerCase();
    if (![...REQUIRED, ...OPTIONAL].includes(lower as Column)) return;
    if (columns.has(lower as Column)) {
      throw new ImportError(
        "duplicate-column",
        `the header names the column "${lower}" twice (columns ${(columns.get(lower as Column) ?? 0) + 1} and ${index + 1})`,
        "rename or remove one of them",
      );
    }
    columns.set(lower as Column, index);
  });
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new ImportError(
      "missing-column",
      `the redemptions file has no ${missing.join(" or ")} column (its columns: ${names.join(", ")})`,
      "a redemptions file has the columns code,redeemed_at and optionally member_id,order_id",
    );
  }
  return columns;
}

/** The import summary as a person reads it. */
export function redemptionSummaryText(s: RedemptionImportSummary, shownFile: string = s.file): string {
  const lines = [
    `redemptions from ${shownFile}: ${s.read} read, ${s.inserted} recorded, ${s.unchanged} already recorded, ${s.rejected} rejected` +
      (s.rejectsFile ? ` (written to ${s.rejectsFile})` : ""),
  ];
  if (s.ignoredColumns.length > 0) lines.push(`  columns not imported: ${s.ignoredColumns.join(", ")}`);
  for (const r of s.rejects) lines.push(`  line ${r.line}: ${r.reason}`);
  if (s.rejects.length < s.rejected) lines.push(`  … and ${s.rejected - s.rejects.length} more in the rejects file`);
  return lines.join("\n");
}
