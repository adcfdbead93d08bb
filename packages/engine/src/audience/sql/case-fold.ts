/*
 * Case-insensitive matching in SQLite the way JavaScript's toLowerCase() does it.
 *
 * Tiers compare "case-insensitive on both sides" (SEMANTICS.md), and the per-member evaluator
 * folds with toLowerCase(), which knows all of Unicode. SQLite's lower() folds ASCII letters
 * only: a member tier written "ÉLITE" would be missing for a configured "Élite". So instead of
 * folding the member's value, the compiler lists every spelling that lower() can leave of a
 * value equal to the tier under toLowerCase(): `lower(m.tier) IN ('élite', 'Élite')`. Only
 * letters outside ASCII multiply the spellings, and tier names have few of them.
 */

/** Every character whose toLowerCase() is the key, other than the key: built on first need (~30 ms). */
let preimages: Map<string, string[]> | undefined;

function upperForms(lower: string): readonly string[] {
  // The only character outside ASCII that folds to an ASCII letter (checked over all of
  // Unicode): ASCII names need no scan of the code points.
  if (lower.charCodeAt(0) < 0x80) return lower === "k" ? ["\u212a"] : [];
  if (!preimages) {
    preimages = new Map();
    for (let code = 0; code <= 0x1ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCodePoint(code);
      const l = c.toLowerCase();
      if (l !== c && [...l].length === 1) preimages.set(l, [...(preimages.get(l) ?? []), c]);
    }
  }
  return preimages.get(lower) ?? [];
}

/** Above this many spellings of one name, only the ASCII-folded one is listed. */
const MAX_SPELLINGS = 256;

/**
 * The strings s with s === sqliteLower(s) and s.toLowerCase() === name.toLowerCase(): what
 * `lower(column)` holds for exactly the values equal to `name` ignoring case as JavaScript does.
 */
export function foldedSpellings(name: string): string[] {
  const target = name.toLowerCase();
  let spellings = [""];
  for (const ch of target) {
    const forms = new Set([ch]);
    const upper = ch.toUpperCase();
    if ([...upper].length === 1) forms.add(upper);
    for (const c of upperForms(ch)) forms.add(c);
    // lower() has already folded ASCII capitals: they never remain in lower(column).
    const options = [...forms].filter((c) => !/^[A-Z]$/.test(c));
    if (spellings.length * options.length > MAX_SPELLINGS) return [target];
    spellings = spellings.flatMap((s) => options.map((c) => s + c));
  }
  // toLowerCase() is not always character by character (final sigma): keep what really folds.
  return spellings.filter((s) => s.toLowerCase() === target).sort();
}
