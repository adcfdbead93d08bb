import type { PatronConfig } from "@patron/config";
import type { FieldInfo } from "@patron/dsl";

export type ImportKind = "members" | "purchases" | "points";
export const IMPORT_KINDS: readonly ImportKind[] = ["members", "purchases", "points"];

/** What the importer needs from patron.yaml (a PatronConfig has all of it). */
export interface ImportConfig {
  /** The business time zone: dates written without an offset are in it (unless `timezone` is given). */
  readonly timezone: string;
  /** Tier names, lowest first. */
  readonly tiers: readonly string[];
  /** The custom member fields (patron.yaml members.fields). */
  readonly members: { readonly fields: readonly FieldInfo[] };
}

/** Compile-time check: a PatronConfig is an ImportConfig, so the CLI passes its config as it is. */
type MustBeTrue<T extends true> = T;
export type PatronConfigIsImportConfig = MustBeTrue<PatronConfig extends ImportConfig ? true : false>;

export interface ImportOptions {
  readonly kind: ImportKind;
  /** The CSV file (UTF-8, header row). */
  readonly file: string;
  readonly config: ImportConfig;
  /**
   * Source column → target column (`--map CustomerID=member_id`). A source of the form `A*B`
   * is the product of two numeric columns (`--map "Quantity*UnitPrice=amount"`).
   */
  readonly map?: Readonly<Record<string, string>>;
  /** A luxon format (`M/d/yy H:mm`) for every date column; ISO 8601 is still accepted too. */
  readonly dateFormat?: string;
  /** IANA zone of dates written without an offset; default the config's time zone. */
  readonly timezone?: string;
  /** purchases/points: create a bare member (id only) for an unknown member id instead of rejecting the row. */
  readonly createMembers?: boolean;
  /** Where to write the rejected rows; default FILE.rejects.csv beside the input. */
  readonly rejectsFile?: string;
  /** How many rejects the summary lists (all are in the rejects file); default 20. */
  readonly rejectsShown?: number;
  /** Called after each batch (about 1 MiB of the file) with the data rows read so far. */
  readonly onProgress?: (rowsRead: number) => void;
}

/** Why a row was rejected: the key of `rejectedByReason`. */
export type RejectCode =
  | "malformed-csv"
  | "column-count"
  | "no-member-id"
  | "missing-value"
  | "bad-date"
  | "bad-number"
  | "bad-boolean"
  | "bad-tier"
  | "bad-gender"
  | "bad-timezone"
  | "bad-email"
  | "bad-choice"
  | "bad-value"
  | "unknown-member"
  | "duplicate"
  | "conflict";

export interface RejectedRow {
  /** The line (1-based, header = 1) on which the row starts in the input file. */
  readonly line: number;
  readonly code: RejectCode;
  /** Names the column, the value and what was expected. */
  readonly reason: string;
}

export interface ImportSummary {
  readonly kind: ImportKind;
  readonly file: string;
  /** Data rows read (the header and blank lines not counted). */
  readonly read: number;
  /** Rows that added a member / order line / point lot. */
  readonly inserted: number;
  /** Rows that changed a stored member / order line. */
  readonly updated: number;
  /** Rows already stored exactly so (a re-import of the same file is all unchanged). */
  readonly unchanged: number;
  /**
   * purchases: rows added into an earlier row of the same file with the same (order_id, sku):
   * one order line, its quantity and amount summed. read = inserted + updated + unchanged + merged + rejected.
   */
  readonly merged: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectCode, number>>>;
  /** The first few rejects, in file order (all of them are in the rejects file). */
  readonly rejects: readonly RejectedRow[];
  /** Absolute path of the rejects CSV, or null when no row was rejected (a stale one is removed). */
  readonly rejectsFile: string | null;
  /** purchases: imported rows with a negative quantity (returns, cancellations). */
  readonly returns: number;
  /** purchases: imported rows with amount 0. */
  readonly zeroAmount: number;
  /** Bare members created for unknown ids (createMembers). */
  readonly membersCreated: number;
  /** Empty lines, or lines of only commas and blanks: not rows, but counted. */
  readonly blankLines: number;
  /** members: columns neither canonical nor declared in patron.yaml, kept as text in `extra`. */
  readonly undeclaredColumns: readonly string[];
  /** purchases/points: columns that are not stored (after --map). */
  readonly ignoredColumns: readonly string[];
  /** The zone given to dates written without an offset. */
  readonly timezone: string;
  readonly elapsedMs: number;
}

export type ImportErrorCode =
  | "unreadable-file"
  | "not-utf8"
  | "empty-file"
  | "record-too-long"
  | "malformed-header"
  | "duplicate-column"
  | "missing-column"
  | "bad-map"
  | "bad-date-format"
  | "bad-timezone"
  | "bad-option";

/**
 * A problem with the whole file or the options: nothing (or, for not-utf8 and record-too-long,
 * nothing after the rows already committed) is imported. `help` says what to do.
 */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}
