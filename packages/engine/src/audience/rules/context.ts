import type { CheckEnvironment, SegmentDefinition } from "@patron/dsl";

/**
 * What a campaign's conditions are evaluated against, besides the member data. The same shape as
 * the SQL compiler's `AudienceOptions`, so one options object serves both evaluators.
 */
export interface AudienceContext {
  /** Tiers, member fields (canonical and custom) and the business time zone. */
  readonly env: Pick<CheckEnvironment, "tiers" | "fields" | "timezone">;
  /** The shared segments, by name (the checker's `segments`). */
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  /** The run's instant, epoch milliseconds. */
  readonly asOf: number;
  /** IANA zone for calendar windows and date literals; defaults to `env.timezone`. */
  readonly businessZone?: string;
}

/** The business zone of a context. */
export function businessZoneOf(ctx: AudienceContext): string {
  return ctx.businessZone ?? ctx.env.timezone;
}
