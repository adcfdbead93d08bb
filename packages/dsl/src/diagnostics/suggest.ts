/**
 * "Did you mean" over the names a context knows, by edit distance (Damerau-Levenshtein,
 * so a swapped pair of letters costs one edit). Case-insensitive, as keywords and names are.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const target = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(target.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(target, candidate.toLowerCase());
    // Ties go to the candidate closest in length ("dayz" → "days", not "day"), then alphabetical.
    const closer =
      best !== undefined &&
      d === bestDistance &&
      (Math.abs(candidate.length - target.length) < Math.abs(best.length - target.length) ||
        (Math.abs(candidate.length - target.length) === Math.abs(best.length - target.length) && candidate < best));
    if (d < bestDistance || closer) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prevPrev = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prevPrev[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
    }
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[m] ?? 0;
}

/** "a, b and c" for help texts. */
export function listNames(names: readonly string[], limit = 12): string {
  const shown = names.slice(0, limit);
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} (and ${rest} more)` : shown.join(", ");
}
