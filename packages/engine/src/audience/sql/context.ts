import type { CheckEnvironment, SegmentDefinition } from "@patron/dsl";

/** What compiling a condition needs besides the condition itself. */
export interface AudienceContext {
  /** Tiers (lowest first) and the member schema, as the checker saw them. */
  readonly env: Pick<CheckEnvironment, "tiers" | "fields">;
  /** Every segment a condition may name; compiled inline where used. */
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  /** The run's instant, epoch ms: windows end here and later data does not exist. */
  readonly asOf: number;
  /** IANA zone of the business: calendar windows (months, years), dates against instants. */
  readonly businessZone: string;
  /**
   * The distinct `members.timezone` values present in the data (raw, invalid ones included),
   * for conditions on the member's local date (birthday, age). A member whose zone is not listed
   * is treated as being in the business zone, so list them all: `distinctMemberZones(db)`.
   * Not needed (may be empty) when `usesLocalDates` is false.
   */
  readonly zones: readonly string[];
}

/** Thrown for a condition the checker should have rejected: the compiler never guesses. */
export class AudienceCompileError extends Error {
  override readonly name = "AudienceCompileError";
}
