import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ChannelName } from "@patron/channels";
import { CANONICAL_FIELDS } from "@patron/dsl";
import type { MemberValue } from "../render/context.js";
import type { VariableKind } from "../render/variables.js";
import { shrinkPageCache } from "../store/page-cache.js";
import type { Db } from "../store/store.js";
import type { Reach } from "./channel-choice.js";
import type { Mutable } from "../mutable.js";

/*
 * Planning reads the audience in pages: the audience query's member ids are first written to a
 * table inside SQLite (never into the process), numbered, then read back a page at a time — page
 * k holds the members numbered k·pageSize+1 … (k+1)·pageSize, so two threads can each read the
 * pages they take. better-sqlite3 cannot write while a statement is being iterated on the same
 * connection; pages (plain .all() calls) leave it free to write between them, and keep memory flat
 * for a million-member audience.
 *
 * The table is a TEMP table of the planning connection, or, when a run's writing thread plans
 * pages too (runs/outbox-sink.ts), a table in a scratch database file both connections attach: a
 * TEMP table is seen by its own connection only.
 *
 * A page finds its members by rowid (one B-tree search a member, not two: the id's index, then
 * the table), and checks the id: a member deleted since may have left its rowid to another.
 *
 * A page reads only what planning will use — the addresses and consents of the campaign's
 * channels, and the member fields its templates show — as raw arrays: turning SQLite values into
 * JavaScript strings and row objects, not SQLite's own work, was most of the cost of a page.
 */

/** A member as planning and templates see it. */
export interface PlannedMember {
  readonly seq: number;
  readonly id: string;
  readonly name: string | null;
  readonly points: number | null;
  readonly timezone: string | null;
  /** Address, consent and opt-out on each channel the campaign sends by (other channels: absent). */
  readonly reach: Readonly<Partial<Record<ChannelName, Reach>>>;
  /**
   * The canonical member fields the templates show, by name, plus `id`; a field the member has
   * no value for is null. `age` is not here: it depends on the render's clock (see
   * render-member.ts), `birthday` is when age is shown.
   */
  readonly fields: Readonly<Record<string, MemberValue>>;
  /**
   * The member's custom fields (the attributes JSON as stored), when templates show any: read
   * with customValues() by the renders that need them. SQLite taking each out of the JSON for
   * every member cost more than a fifth of reading a page; an SMS seldom shows one.
   */
  readonly custom?: string;
  /** Points expiring within the next 30 days and the first such expiry, when asked for. */
  readonly expiring?: { readonly points: number; readonly firstExpiry: number | null };
}

export const EXPIRING_DAYS = 30;

/**
 * Members a page: small enough that a page and its decisions die young (a young-generation
 * collection frees them; pages of 2,000 lived long enough to be promoted, and a million-member
 * planning's heap grew by ~60 MB of garbage), large enough that a page's queries and transaction
 * cost little per member.
 */
const PAGE_SIZE = 500;

/** A planning's audience, written where its pages are read from. */
export interface Audience {
  /** Members in it. */
  readonly size: number;
  /** Pages to read (after a resume some are short or empty: members decided before are left out). */
  readonly pages: number;
  readonly pageSize: number;
  /** The scratch database holding it, for another connection to attach; absent: a TEMP table. */
  readonly file?: string;
  /** Drops the tables (deletes the scratch database). */
  close(): void;
}

export interface AudiencePages {
  /** The members of page k (0-based; empty past the end). */
  page(k: number): PlannedMember[];
  /** Gives the connection its page cache back (and detaches a scratch database it attached). */
  close(): void;
}

export interface AudienceReadOptions {
  readonly asOf: number;
  /** Members that already have an outbox row for this run are left out (a crashed planning resumes). */
  readonly skipDecidedIn?: number;
  /** Also load the points expiring in (asOf, asOf + 30 days] per member (one range scan of point_lots). */
  readonly expiring: boolean;
  /** The channels the campaign may send by: their address, consent and opt-out are read. */
  readonly channels: readonly ChannelName[];
  /** The member fields templates show, with their kinds (CompiledMessages' settings.fields). */
  readonly fields?: ReadonlyMap<string, VariableKind>;
  /**
   * The business time zone: a member whose timezone is this one reads it as a number, not a
   * string (most members of a business share its zone; a string a member cost more than the
   * comparison), and gets this very string back.
   */
  readonly businessZone?: string;
  readonly pageSize?: number;
}

const ADDRESS_COLUMN: Readonly<Record<ChannelName, string>> = { sms: "phone", email: "email", wechat: "wechat_openid" };
/** The canonical member fields (columns of members); every other field is custom (in attributes). */
export const CANONICAL = new Set(CANONICAL_FIELDS.map((f) => f.name));
/**
 * Page columns: seq, id, name, points, timezone, the consents of the campaign's channels as bits
 * (one number, not one a channel: handing each value of a row to JavaScript costs about a fifth
 * of SQLite's whole work for the row), the expiring points and first expiry when asked for, then
 * addresses and member fields (pageLayout).
 */
const CONSENTS = 5;
/** Where in a row the k-th of pageLayout's columns is (the consents are its first). */
const columnAt = (k: number): number => CONSENTS + k;
/** Member fields among them, by column. */
const TIMEZONE = 4;
const FIXED_COLUMNS: ReadonlyMap<string, number> = new Map([
  ["name", 2],
  ["points", 3],
  ["timezone", TIMEZONE],
]);

/** The schema the audience tables live in: the scratch database's when there is one. */
const SHARED = "plan_share";
const schemaOf = (file: string | undefined): string => (file === undefined ? "temp" : SHARED);
const sharedAttached = (db: Db): boolean =>
  db.prepare("SELECT count(*) FROM pragma_database_list WHERE name = ?").pluck().get(SHARED) !== 0;

/**
 * Attaches the scratch database with a page cache of SHARED_CACHE_KIB: pages read it in order
 * once, and the OS caches the file (a connection's default, 2 MB, was RSS for nothing).
 */
function attachShared(db: Db, file: string): void {
  db.prepare(`ATTACH DATABASE ? AS ${SHARED}`).run(file);
  db.exec(`PRAGMA ${SHARED}.cache_size = -${SHARED_CACHE_KIB}`);
}
const SHARED_CACHE_KIB = 1024;

/**
 * A scratch database attached as SHARED, in a directory of its own under `parent`; undefined when
 * none can be made there (no space, not writable): the audience is then a TEMP table and only
 * this connection plans, slower but the same.
 */
function scratchDatabase(db: Db, parent: string): string | undefined {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(parent, "patron-plan-"));
    const file = join(dir, "audience.db");
    // An empty file is an empty database; ATTACH would not create one for a connection opened
    // with fileMustExist. Disposable: no journal, no syncing.
    writeFileSync(file, "");
    attachShared(db, file);
    db.exec(`PRAGMA ${SHARED}.journal_mode = OFF; PRAGMA ${SHARED}.synchronous = OFF`);
    return file;
  } catch {
    if (sharedAttached(db)) db.exec(`DETACH DATABASE ${SHARED}`);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/**
 * Writes the audience (the compiled query and its parameters: member ids and rowids, see
 * audienceQuery) to a table, numbered in the query's order, with the points expiring per member
 * when asked for: TEMP tables, or (`shared`) tables of a scratch database (see scratchDatabase).
 */
export function writeAudience(
  db: Db,
  query: { readonly sql: string; readonly params: readonly unknown[] },
  options: Pick<AudienceReadOptions, "asOf" | "expiring" | "skipDecidedIn" | "pageSize"> & {
    /** For another connection to read too: in a scratch database (a TEMP table when none can be made). */
    readonly shared: boolean;
    /** Where the scratch database goes (the OS's temporary directory). */
    readonly scratchDir?: string;
  },
): Audience {
  const file = options.shared ? scratchDatabase(db, options.scratchDir ?? tmpdir()) : undefined;
  const schema = schemaOf(file);
  const drop = (): void => {
    db.exec(`DROP TABLE IF EXISTS ${schema}.plan_audience; DROP TABLE IF EXISTS ${schema}.plan_expiring`);
  };
  const close = (): void => {
    if (file === undefined) return drop();
    db.exec(`DETACH DATABASE ${SHARED}`);
    try {
      rmSync(dirname(file), { recursive: true, force: true });
    } catch {
      // Still open elsewhere (a writing thread being stopped after a failure, on a system that
      // will not delete open files): left for the OS to clear, not an error hiding the real one.
    }
  };
  try {
    drop();
    db.exec(`CREATE TABLE ${schema}.plan_audience (seq INTEGER PRIMARY KEY, member_id TEXT NOT NULL, member_row INTEGER NOT NULL)`);
    db.prepare(`INSERT INTO ${schema}.plan_audience (member_id, member_row) SELECT * FROM (${query.sql})`).run(...query.params);
    const numbered = Number(db.prepare(`SELECT coalesce(max(seq), 0) FROM ${schema}.plan_audience`).pluck().get());
    if (options.skipDecidedIn !== undefined) {
      db.prepare(`DELETE FROM ${schema}.plan_audience WHERE member_id IN (SELECT member_id FROM main.outbox WHERE run_id = ?)`).run(
        options.skipDecidedIn,
      );
    }
    const size = Number(db.prepare(`SELECT count(*) FROM ${schema}.plan_audience`).pluck().get());
    if (options.expiring) {
      db.exec(`CREATE TABLE ${schema}.plan_expiring (member_id TEXT PRIMARY KEY, points REAL, first_expiry INTEGER) WITHOUT ROWID`);
      db.prepare(
        `INSERT INTO ${schema}.plan_expiring
         SELECT member_id, sum(points), min(expires_at) FROM main.point_lots
         WHERE expires_at > ? AND expires_at <= ? AND earned_at <= ? GROUP BY member_id`,
      ).run(options.asOf, options.asOf + EXPIRING_DAYS * 86_400_000, options.asOf);
    }
    const pageSize = options.pageSize ?? PAGE_SIZE;
    return { size, pages: Math.ceil(numbered / pageSize), pageSize, ...(file === undefined ? {} : { file }), close };
  } catch (error) {
    close();
    throw error;
  }
}

/** Reads pages of an audience written by writeAudience, on this connection or another. */
export function openPages(db: Db, audience: Pick<Audience, "file" | "pageSize">, options: AudienceReadOptions): AudiencePages {
  const schema = schemaOf(audience.file);
  const attach = audience.file !== undefined && !sharedAttached(db);
  if (attach) attachShared(db, audience.file as string);
  // The audience query wanted the big page cache; pages walk the audience in order and the
  // outbox grows at its end (store/page-cache.ts). close() restores it.
  const restoreCache = shrinkPageCache(db);
  const layout = pageLayout(options);
  const page = db
    .prepare(
      `SELECT a.seq, m.id, m.name, m.points, ${options.businessZone === undefined ? "m.timezone" : "CASE m.timezone WHEN ? THEN 1 ELSE m.timezone END"}
        ${layout.columns.map((c) => `, ${c}`).join("")}
      FROM ${schema}.plan_audience AS a JOIN main.members AS m ON m.rowid = a.member_row AND m.id = a.member_id
      ${options.expiring ? `LEFT JOIN ${schema}.plan_expiring AS e ON e.member_id = m.id` : ""}
      WHERE a.seq > ? AND a.seq <= ? ORDER BY a.seq`,
    )
    .raw(true);
  // The opt-outs of a page's members in one range scan of opt_out_current, between the least and
  // the greatest id of the page (SQLite's order: the audience is in id order, so the range holds
  // the page's members and few others), not one lookup a member: that was a tenth of reading a page.
  const optOuts = db
    .prepare(
      `WITH page AS (SELECT min(member_id) AS least, max(member_id) AS greatest FROM ${schema}.plan_audience WHERE seq > ? AND seq <= ?)
       SELECT o.member_id, o.channel FROM page, main.opt_out_current AS o WHERE o.member_id BETWEEN page.least AND page.greatest`,
    )
    .raw(true);
  const { pageSize } = audience;
  const zone = options.businessZone === undefined ? [] : [options.businessZone];
  return {
    page(k) {
      const range = [k * pageSize, (k + 1) * pageSize];
      const optedOut = new Map<string, string[]>();
      for (const [member, channel] of optOuts.all(...range) as [string, string][]) {
        const channels = optedOut.get(member);
        if (channels) channels.push(channel);
        else optedOut.set(member, [channel]);
      }
      return (page.all(...zone, ...range) as unknown[][]).map((row) => layout.member(row, optedOut.get(row[1] as string) ?? NO_CHANNELS));
    },
    close() {
      restoreCache();
      if (attach) db.exec(`DETACH DATABASE ${SHARED}`);
    },
  };
}

interface PageLayout {
  /** The SELECT expressions after seq … timezone: row index CONSENTS on. */
  readonly columns: readonly string[];
  /** The member of a row, with the channels they opted out of. */
  member(row: readonly unknown[], optedOut: readonly string[]): PlannedMember;
}

/**
 * Which columns a page reads after seq … timezone (the consents, expiring points,
 * addresses, member fields), and how a raw row becomes a PlannedMember. Column names come from
 * the whitelist of canonical fields and channels; custom fields come with the attributes JSON.
 */
function pageLayout(options: AudienceReadOptions): PageLayout {
  const channels = [...new Set(options.channels)];
  // Parenthesized: SQLite's << and | bind alike, left to right.
  const consents = channels.map((channel, i) => `((m.consent_${channel} IS 1) << ${i})`).join(" | ");
  const columns: string[] = [consents === "" ? "0" : consents];
  const expiring = options.expiring;
  const expiringAt = columnAt(columns.length);
  if (expiring) columns.push("e.points", "e.first_expiry");
  const addresses = columnAt(columns.length);
  for (const channel of channels) columns.push(`m.${ADDRESS_COLUMN[channel]}`);
  const wanted = new Map(options.fields ?? []);
  if (wanted.has("age") && !wanted.has("birthday")) wanted.set("birthday", "date");
  wanted.delete("age");
  const custom = [...wanted.keys()].some((name) => name !== "id" && !CANONICAL.has(name));
  const attributesColumn = columnAt(columns.length); // read only when `custom`
  if (custom) columns.push("m.attributes");
  const fields: { name: string; kind: VariableKind; consent: boolean; column: number }[] = [];
  for (const [name, kind] of wanted) {
    if (name === "id" || !CANONICAL.has(name)) continue;
    // name, points and timezone are fixed columns already: read once.
    const fixed = FIXED_COLUMNS.get(name);
    if (fixed === undefined) columns.push(`m.${name}`);
    fields.push({ name, kind, consent: name.startsWith("consent_"), column: fixed ?? columnAt(columns.length - 1) });
  }
  const businessZone = options.businessZone ?? null;
  return {
    columns,
    member(row, optedOut) {
      const timezone = row[TIMEZONE] === 1 ? businessZone : (row[TIMEZONE] as string | null); // 1: the business's (see businessZone)
      const reach: Partial<Record<ChannelName, Reach>> = {};
      const consented = row[CONSENTS] as number;
      for (let i = 0; i < channels.length; i++) {
        const channel = channels[i] as ChannelName;
        reach[channel] = {
          address: row[addresses + i] as string | null,
          consent: (consented & (1 << i)) !== 0,
          optedOut: optedOut.includes(channel),
        };
      }
      const values: Record<string, MemberValue> = { id: row[1] as string };
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i] as (typeof fields)[number];
        const value = field.column === TIMEZONE ? timezone : (row[field.column] as MemberValue);
        // SQLite has no booleans: consents and JSON true/false come back as 1/0. A consent not
        // given (NULL) is no consent, as planning reads it.
        values[field.name] =
          field.kind !== "boolean" ? value : field.consent ? value === 1 : typeof value === "number" ? value === 1 : value;
      }
      const member: Mutable<PlannedMember> = {
        seq: row[0] as number,
        id: row[1] as string,
        name: row[2] as string | null,
        points: row[3] as number | null,
        timezone,
        reach,
        fields: values,
      };
      // Set, not spread in: a million members, two objects fewer each.
      if (custom && typeof row[attributesColumn] === "string") member.custom = row[attributesColumn] as string;
      if (expiring)
        member.expiring = { points: (row[expiringAt] as number | null) ?? 0, firstExpiry: row[expiringAt + 1] as number | null };
      return member;
    },
  };
}

/**
 * A member's custom fields (PlannedMember.custom) typed as planning reads member values: what
 * SQLite's `attributes ->> name` gives, with a boolean field's JSON true/false as booleans.
 */
export function customValues(custom: string | undefined, kinds: ReadonlyMap<string, VariableKind>): Record<string, MemberValue> {
  const values: Record<string, MemberValue> = {};
  if (custom === undefined) return values;
  let parsed: unknown;
  try {
    parsed = JSON.parse(custom);
  } catch {
    // Not JSON (the importer never writes such): no custom values, so a template showing one fails
    // for this member alone (`->>` in the page query would have stopped the whole planning).
    return values;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return values;
  for (const [name, kind] of kinds) {
    if (CANONICAL.has(name) || !Object.hasOwn(parsed, name)) continue;
    const value = (parsed as Record<string, unknown>)[name];
    if (value === null || typeof value === "string" || typeof value === "number") values[name] = value;
    else if (typeof value === "boolean") values[name] = kind === "boolean" ? value : value ? 1 : 0;
    else if (value !== undefined) values[name] = JSON.stringify(value); // an object or array: its JSON, as ->> gives it
  }
  return values;
}

const NO_CHANNELS: readonly string[] = [];

const NO_REACH: Reach = Object.freeze({ address: null, consent: false, optedOut: false });

/** A member's reachability on a channel, for chooseChannel. */
export function reachOf(member: PlannedMember, channel: ChannelName): Reach {
  return member.reach[channel] ?? NO_REACH;
}
