// Public API of the importer (re-exported by @patron/engine).
export { importCsv, defaultRejectsFile } from "./import-csv.js";
export { parseMapOptions, CANONICAL_COLUMNS, REQUIRED_COLUMNS } from "./columns.js";
export { summaryText } from "./summary.js";
export { ImportError, IMPORT_KINDS } from "./types.js";
export type { ImportConfig, ImportErrorCode, ImportKind, ImportOptions, ImportSummary, RejectCode, RejectedRow } from "./types.js";
