import type { CheckEnvironment, SegmentDefinition } from "@patron/dsl";

/** What a campaign's conditions are evaluated against, besides the member data. */
export interface AudienceContext {
  /** Tiers, member fields (canonical and custom) and the business time zone. */
  readonly env: CheckEnvironment;
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
