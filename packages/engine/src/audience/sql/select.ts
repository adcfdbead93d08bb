import type { Statement } from "better-sqlite3";
import type { CampaignDefinition, CheckEnvironment, ConditionNode, SegmentDefinition } from "@patron/dsl";
import type { Db } from "../../store/store.js";
import { compileAudience, usesLocalDates, type CompiledSql } from "./compile.js";
import type { AudienceStats } from "./context.js";

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
 * the data are read first when the condition depends on the member's local date. `withRowids`:
 * see compileAudience.
 */
export function audienceQuery(db: Db, condition: ConditionNode, options: AudienceOptions, withRowids = false): CompiledSql {
  const businessZone = options.businessZone ?? options.env.timezone;
  const zones = usesLocalDates(condition, options.segments) ? distinctMemberZones(db) : [];
  return compileAudience(
    condition,
    {
      env: options.env,
      segments: options.segments,
      asOf: options.asOf,
      businessZone,
      zones,
      stats: storeStats(db),
    },
    withRowids,
  );
}

/*
 * Prepared statements by SQL text, per connection. A campaign's query text does not change from
 * one run to the next (values are parameters), so a long-running process (`patron schedule`, a
 * benchmark) prepares it once; preparing cost more than running a small audience query. The
 * planner's own queries (storeStats) go through the same cache: preparing them on every call was
 * a tenth of a millisecond, 2% of the 5 ms `referred … within 30 days` at 1M members. Each caller
 * sets the statement's row mode (pluck, raw) before using it, as another may have changed it.
 */
const statements = new WeakMap<Db, Map<string, Statement<unknown[], unknown>>>();

function prepared(db: Db, text: string): Statement<unknown[], unknown> {
  let byText = statements.get(db);
  if (byText === undefined) {
    byText = new Map();
    statements.set(db, byText);
  }
  let statement = byText.get(text);
  if (statement === undefined) {
    if (byText.size >= 256) byText.clear();
    statement = db.prepare<unknown[], unknown>(text);
    byText.set(text, statement);
  }
  return statement;
}

/** Members looked at to estimate the share passing member tests: ±3% at worst, a few ms. */
const SAMPLE = 1000;

/**
 * What the planner may ask the store: the number of members (the largest rowid: one index step,
 * close as long as members are rarely deleted), counts of index entries, and the share of a
 * sample of members — rowids spread evenly over the table, so the order members were imported
 * in does not bias it — passing the member tests of a conjunction.
 */
export function storeStats(db: Db): AudienceStats {
  const members = Number(prepared(db, "SELECT max(rowid) FROM members").pluck().get() ?? 0);
  const step = Math.max(1, Math.floor(members / SAMPLE));
  const cache = new Map<string, number>();
  return {
    members,
    share: (expression) => {
      const row = prepared(
        db,
        `WITH RECURSIVE pick(r) AS (SELECT ? UNION ALL SELECT r + ? FROM pick WHERE r + ? <= ?)
           SELECT count(*), total(${expression.sql}) FROM pick JOIN members AS m ON m.rowid = pick.r`,
      )
        .raw()
        .get(step, step, step, members, ...expression.params) as [number, number] | undefined;
      const [seen, passed] = row ?? [0, 0];
      return (passed + 1) / (seen + 2);
    },
    count: (query) => {
      const key = JSON.stringify([query.sql, query.params]);
      let n = cache.get(key);
      if (n === undefined) {
        n = Number(
          prepared(db, query.sql)
            .pluck()
            .get(...query.params) ?? 0,
        );
        cache.set(key, n);
      }
      return n;
    },
  };
}

/** The members a campaign's condition selects, before policies (consent, caps, holdout). */
export function selectAudience(db: Db, campaign: CampaignDefinition, options: AudienceOptions): AudienceResult {
  const query = audienceQuery(db, campaign.rule.condition, options);
  const ids = prepared(db, query.sql)
    .pluck()
    .all(...query.params)
    .map(String);
  return { campaign: campaign.id, asOf: options.asOf, count: ids.length, memberIds: ids };
}

/**
 * The same members one at a time, for audiences too large to hold (a million ids): rows are
 * read from SQLite as the iterator is advanced. While it is open, better-sqlite3 refuses writes
 * on the same connection (reads still work): write the planned sends through another connection
 * or after the iteration, and consume it fully or call `return()` (a `break` in for…of does).
 */
export function* iterateAudience(db: Db, campaign: CampaignDefinition, options: AudienceOptions): Generator<string, void, undefined> {
  const query = audienceQuery(db, campaign.rule.condition, options);
  for (const id of prepared(db, query.sql)
    .pluck()
    .iterate(...query.params))
    yield String(id);
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
