import { UsageError } from "./files.js";

/** A whole-number option (--members 1000, --samples 3), or a usage error naming it. */
export function wholeNumber(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${option} ${text}: expected a whole number`);
  return n;
}
