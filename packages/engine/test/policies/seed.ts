/*
 * The property tests are deterministic: a fixed seed, so CI sees the same cases every run. To
 * explore further, run with PATRON_POLICY_SEED=<n> and PATRON_POLICY_RUNS=<factor> (e.g. 10 for
 * ten times as many cases).
 */
export const SEED = Number(process.env.PATRON_POLICY_SEED ?? 20261205);
const FACTOR = Number(process.env.PATRON_POLICY_RUNS ?? 1);

export function runs(base: number): number {
  return Math.max(1, Math.round(base * FACTOR));
}
