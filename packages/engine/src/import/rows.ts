import type { Cells } from "./cells.js";

/* The values a row is parsed into (RowParser), on their way from the reading side to the store. */

export type SqlValue = string | number | null;
/** What a parsed value is: its type on the way, the same for every row of an import. */
export type ValueType = "text" | "number";

/**
 * A kind's reading of a row: the values it parses the row's cells into, checked as far as they can
 * be without the store (which member ids exist, which keys were seen, is the store's part).
 */
export interface RowParser {
  readonly types: readonly ValueType[];
  /** Parses the row now in `cells` into out[0 … types.length); throws RowReject. */
  read(cells: Cells, out: SqlValue[]): void;
}
