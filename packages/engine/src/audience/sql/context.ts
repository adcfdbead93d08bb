import type { CheckEnvironment, SegmentDefinition } from "@patron/dsl";
import type { SqlValue } from "./fragment.js";

/** A query and the values of its `?` placeholders, in order. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/**
 * What the compiler may learn about the data to choose how a condition is written — never what
 * it means: the same members come out whatever these say (planner.ts).
 */
export interface AudienceStats {
  /** About how many members there are. */
  readonly members: number;
  /** Runs one of the compiler's own counting queries (a single number out). */
  readonly count: (query: CompiledSql) => number;
  /**
   * The share (0–1) of members for whom a two-valued expression over `m` (a row of members) is
   * true, estimated on a sample; absent: each member test is taken to keep half the members.
   */
  readonly share?: (expression: CompiledSql) => number;
}

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
  /**
   * Without it, a purchase test on a named brand, category or SKU is written as a set built once
   * and any other as a probe per member (see planner.ts); the golden files show that plan.
   */
  readonly stats?: AudienceStats;
  /** Writes every purchase test one way, whatever the planner would choose: for tests. */
  readonly strategy?: "set" | "probe";
}

/** Thrown for a condition the checker should have rejected: the compiler never guesses. */
export class AudienceCompileError extends Error {
  override readonly name = "AudienceCompileError";
}
