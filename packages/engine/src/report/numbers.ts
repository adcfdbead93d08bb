/*
 * How the report writes numbers: rates and interval bounds as fractions rounded to 6 decimals,
 * money to 2, so the JSON shape is stable to read and to compare (no 0.30000000000000004).
 */

/** part / whole, rounded to 6 decimals; null when whole is 0 (a rate of nothing is not 0%). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? round(part / whole, 6) : null;
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

export const money = (value: number): number => round(value, 2);
