import { createHash } from "node:crypto";

/*
 * Stable assignment of a member to a holdout group or a message variant: a number in [0, 1) from
 * SHA-256 of (campaign id, member id), so the same member lands in the same group in every run,
 * on every machine and in any database (no random state, no row order). The two ids are joined
 * with a NUL, which neither can contain, so ("ab","c") and ("a","bc") differ.
 */
export function stableFraction(campaign: string, member: string, purpose: string): number {
  const digest = createHash("sha256").update(`${purpose}\u0000${campaign}\u0000${member}`).digest();
  // 52 bits: exactly representable as a double, uniform in [0, 1).
  return (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
}

/** Picks a weighted variant: weights are percentages that add up to 100 (the checker says so). */
export function pickVariant<T extends { readonly percent: number }>(variants: readonly T[], fraction: number): T {
  let edge = 0;
  for (const variant of variants) {
    edge += variant.percent / 100;
    if (fraction < edge) return variant;
  }
  return variants[variants.length - 1] as T;
}
