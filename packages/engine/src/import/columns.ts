import { listNames, suggest } from "@patron/dsl";
import type { FieldInfo } from "@patron/dsl";
import { CANONICAL_COLUMNS, REQUIRED_COLUMNS } from "./column-names.js";
import { ImportError } from "./types.js";
import type { ImportKind } from "./types.js";

export { CANONICAL_COLUMNS, REQUIRED_COLUMNS };

/*
 * From a file's header (and --map) to where each canonical column comes from.
 *
 * - Header names are trimmed; canonical and declared custom names match in any case.
 * - `--map SOURCE=TARGET` reads the file's SOURCE column as TARGET. `--map "A*B=TARGET"` makes
 *   TARGET the product of two numeric columns (UCI: Quantity*UnitPrice=amount), computed in
 *   decimal. A source column may serve both a rename and a product.
 * - A mistake in the header or the map is one error for the whole file, before any row is
 *   read: a required column missing (naming the columns the file has, with "did you mean"), a
 *   source not in the file, two columns becoming the same target, a duplicated header name.
 * - Columns left over: for members, declared custom fields go to `attributes`, the rest to
 *   `extra` (reported once as undeclared); for purchases and points they are not stored
 *   (reported as ignored). A column with an empty header name is ignored.
 */

const NUMERIC_TARGETS = new Set(["points", "quantity", "amount"]);

/** Where a target's value comes from: one column, or the product of two. */
export type Source =
  | { readonly kind: "column"; readonly index: number; readonly label: string }
  | {
      readonly kind: "product";
      readonly left: number;
      readonly right: number;
      readonly leftName: string;
      readonly rightName: string;
      readonly label: string;
    };

export interface ColumnPlan {
  /** The header as written (trimmed). */
  readonly header: readonly string[];
  /** The cells a row must have: up to the last named column (a header may end in commas). */
  readonly width: number;
  /** Canonical column → its source. */
  readonly canonical: ReadonlyMap<string, Source>;
  /** members: declared custom fields present in the file. */
  readonly fields: readonly { readonly info: FieldInfo; readonly source: Source }[];
  /** members: undeclared columns, kept as text in `extra` under `name`. */
  readonly extra: readonly { readonly name: string; readonly index: number }[];
  /** Columns not stored (purchases/points leftovers, unnamed columns). */
  readonly ignored: readonly string[];
}

/** `["CustomerID=member_id", "Quantity*UnitPrice=amount"]` → a map; throws ImportError on a malformed entry. */
export function parseMapOptions(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.lastIndexOf("=");
    const source = entry.slice(0, eq).trim();
    const target = entry.slice(eq + 1).trim();
    if (eq === -1 || source === "" || target === "") {
      throw new ImportError(
        "bad-map",
        `--map "${entry}": expected SOURCE=TARGET`,
        "e.g. --map CustomerID=member_id, or --map Quantity*UnitPrice=amount for a product",
      );
    }
    if (source in map) throw new ImportError("bad-map", `--map names the column "${source}" twice`);
    map[source] = target;
  }
  return map;
}

export function resolveColumns(
  kind: ImportKind,
  rawHeader: readonly string[],
  map: Readonly<Record<string, string>>,
  customFields: readonly FieldInfo[],
): ColumnPlan {
  const header = rawHeader.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === "") return;
    const before = seen.get(h);
    if (before !== undefined) {
      throw new ImportError(
        "duplicate-column",
        `the header names the column "${h}" twice (columns ${before + 1} and ${i + 1})`,
        "rename or remove one of them",
      );
    }
    seen.set(h, i);
  });
  const named = header.filter((h) => h !== "");
  const findSource = (name: string, entry: string): number => {
    const exact = seen.get(name);
    if (exact !== undefined) return exact;
    const folded = header.flatMap((h, i) => (h !== "" && h.toLowerCase() === name.toLowerCase() ? [i] : []));
    if (folded.length === 1) return folded[0] as number;
    const near = suggest(name, named);
    throw new ImportError(
      "bad-map",
      `--map ${entry}: the file has no column "${name}"${near ? `; did you mean "${near}"?` : ""}`,
      `the file's columns are: ${listNames(named, 40)}`,
    );
  };

  const canonicalNames = CANONICAL_COLUMNS[kind];
  const canonicalByLower = new Map(canonicalNames.map((c) => [c.toLowerCase(), c]));
  const fieldsByLower = new Map((kind === "members" ? customFields : []).map((f) => [f.name.toLowerCase(), f]));
  const targetName = (target: string): string =>
    canonicalByLower.get(target.toLowerCase()) ?? fieldsByLower.get(target.toLowerCase())?.name ?? target;

  // Targets from --map.
  const mapped = new Map<string, Source>(); // target → source
  const renamed = new Map<number, string>(); // column index → target
  for (const [rawSource, rawTarget] of Object.entries(map)) {
    const entry = `${rawSource}=${rawTarget}`;
    const target = targetName(rawTarget.trim());
    if (kind !== "members" && !canonicalNames.includes(target)) {
      const near = suggest(target, canonicalNames);
      throw new ImportError(
        "bad-map",
        `--map ${entry}: ${kind} have no column "${target}"${near ? `; did you mean "${near}"?` : ""}`,
        `the ${kind} columns are: ${canonicalNames.join(", ")}`,
      );
    }
    if (mapped.has(target))
      throw new ImportError("bad-map", `--map: two columns are mapped to "${target}"`, "map one column to each target");
    const source = rawSource.trim();
    const star = source.indexOf("*");
    if (star !== -1 && !seen.has(source)) {
      const leftName = source.slice(0, star).trim();
      const rightName = source.slice(star + 1).trim();
      if (leftName === "" || rightName === "" || rightName.includes("*")) {
        throw new ImportError("bad-map", `--map ${entry}: a product is two columns joined by *, like Quantity*UnitPrice=amount`);
      }
      const numeric = NUMERIC_TARGETS.has(target) || fieldsByLower.get(target.toLowerCase())?.type === "number";
      if (!numeric) throw new ImportError("bad-map", `--map ${entry}: "${target}" is not a number column, so it cannot be a product`);
      const left = findSource(leftName, entry);
      const right = findSource(rightName, entry);
      mapped.set(target, {
        kind: "product",
        left,
        right,
        leftName: header[left] ?? leftName,
        rightName: header[right] ?? rightName,
        label: `${header[left]}*${header[right]} (as ${target})`,
      });
    } else {
      const index = findSource(source, entry);
      if (renamed.has(index)) throw new ImportError("bad-map", `--map names the column "${header[index]}" twice`);
      renamed.set(index, target);
      const label = header[index] === target ? target : `${header[index]} (as ${target})`;
      mapped.set(target, { kind: "column", index, label });
    }
  }

  // Every other column keeps its own name; it must not collide with a mapped target.
  const canonical = new Map<string, Source>();
  const fields: { info: FieldInfo; source: Source }[] = [];
  const extra: { name: string; index: number }[] = [];
  const ignored: string[] = [];
  const place = (target: string, source: Source): void => {
    const name = targetName(target);
    if (canonicalByLower.has(name.toLowerCase())) {
      if (canonical.has(name))
        throw new ImportError("duplicate-column", `two columns of the file are "${name}"`, "rename or remove one of them");
      canonical.set(name, source);
    } else if (fieldsByLower.has(name.toLowerCase())) fields.push({ info: fieldsByLower.get(name.toLowerCase()) as FieldInfo, source });
    else if (kind === "members" && source.kind === "column") extra.push({ name, index: source.index });
    else ignored.push(source.kind === "column" ? (header[source.index] ?? name) : source.label);
  };
  for (const [target, source] of mapped) place(target, source);
  const width = header.reduce((w, h, i) => (h === "" ? w : i + 1), 0);
  header.forEach((h, index) => {
    if (renamed.has(index) || index >= width) return;
    if (h === "") {
      ignored.push(`(unnamed column ${index + 1})`);
      return;
    }
    const name = targetName(h);
    if (mapped.has(name)) {
      const by = [...Object.entries(map)].find(([, t]) => targetName(t.trim()) === name)?.[0] ?? "";
      throw new ImportError(
        "bad-map",
        `--map ${by}=${name}: the file already has a column "${h}"`,
        `drop the --map, or map "${h}" to another name as well`,
      );
    }
    place(name, { kind: "column", index, label: h });
  });

  const missing = REQUIRED_COLUMNS[kind].filter((c) => !canonical.has(c));
  if (missing.length > 0) {
    const hints = missing.map((c) => {
      const unused = header.filter((h, i) => h !== "" && !renamed.has(i));
      const near = suggest(c, unused);
      return near ? `did you mean "${near}"? (--map ${near.includes(" ") ? `"${near}=${c}"` : `${near}=${c}`})` : undefined;
    });
    const named_ = missing.map((c) => `"${c}"`).join(", ");
    throw new ImportError(
      "missing-column",
      `the file has no ${named_} column${missing.length > 1 ? "s" : ""} (required for ${kind}); its columns are: ${listNames(named, 40)}`,
      [
        ...hints.filter((h): h is string => h !== undefined),
        `map a column of the file with --map SOURCE=${missing[0]}; the ${kind} columns are ${canonicalNames.join(", ")}`,
      ].join("; "),
    );
  }
  return { header, width, canonical, fields, extra, ignored };
}
