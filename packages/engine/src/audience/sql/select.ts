import type { CampaignDefinition, CheckEnvironment, ConditionNode, SegmentDefinition } from "@patron/dsl";
import type { Db } from "../../store/store.js";
import { compileAudience, usesLocalDates, type CompiledSql } from "./compile.js";

/** What selecting an audience needs: the checker's environment and segments, and the as-of. */
export interface AudienceOptions {
  /** Tiers and member fields (toCheckEnvironment(config)); its timezone is the business zone. */
  readonly env: Pick<CheckEnvironment, "tiers" | "fields" | "timezone">;
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  /** The run's instant, epoch ms. */
  readonly asOf: number;
  /** Defaults to env.timezone. */
  readonly businessZone?: string;
}

export interface AudienceResult {
  readonly campaign: string;
  readonly asOf: number;
  readonly count: number;
  /** Member ids as strings, ascending in SQLite's binary (UTF-8 byte) order. */
  readonly memberIds: readonly string[];
}

/**
 * The compiled query of a condition against this database: the member time zones present in
 * the data are read first when the condition depends on the member's local date.
 */
export function audienceQuery(db: Db, condition: ConditionNode, options: AudienceOptions): CompiledSql {
  const businessZone = options.businessZone ?? options.env.timezone;
  const zones = usesLocalDates(condition, options.segments) ? distinctMemberZones(db) : [];
  return compileAudience(condition, { env: options.env, segments: options.segments, asOf: options.asOf, businessZone, zones });
}

/** The members a campaign's condition selects, before policies (consent, caps, holdout). */
export function selectAudience(db: Db, campaign: CampaignDefinition, options: AudienceOptions): AudienceResult {
  const query = audienceQuery(db, campaign.rule.condition, options);
  const ids = db.prepare<unknown[], unknown>(query.sql).pluck().all(...query.params).map(String);
  return { campaign: campaign.id, asOf: options.asOf, count: ids.length, memberIds: ids };
}

/**
 * The same members one at a time, for audiences too large to hold (a million ids): rows are
 * read from SQLite as the iterator is advanced. While it is open, the connection is busy
 * (better-sqlite3 allows no other statement on it), so consume it fully or call `return()`.
 */
export function* iterateAudience(db: Db, campaign: CampaignDefinition, options: AudienceOptions): Generator<string, void, undefined> {
  const query = audienceQuery(db, campaign.rule.condition, options);
  for (const id of db.prepare<unknown[], unknown>(query.sql).pluck().iterate(...query.params)) yield String(id);
}

/**
 * The distinct non-NULL `members.timezone` values, by skipping through the members_timezone
 * index (one index seek per zone, not a scan of a million rows).
 */
export function distinctMemberZones(db: Db): string[] {
  const first = db.prepare<[], unknown>("SELECT min(timezone) FROM members").pluck();
  const next = db.prepare<[string], unknown>("SELECT min(timezone) FROM members WHERE timezone > ?").pluck();
  const zones: string[] = [];
  let zone = first.get();
  while (typeof zone === "string") {
    zones.push(zone);
    zone = next.get(zone);
  }
  return zones;
}
