import type { ChannelName } from "@patron/channels";
import type { MemberRow } from "../store/member-row.js";
import type { Db } from "../store/store.js";
import type { Reach } from "./channel-choice.js";

/*
 * Planning reads the audience in pages: the audience query's member ids are first written to a
 * TEMP table inside SQLite (never into the process), then read back a page at a time with the
 * member columns templates and policies need. better-sqlite3 cannot write while a statement is
 * being iterated on the same connection; pages (plain .all() calls) leave it free to write the
 * outbox between them, and keep memory flat for a million-member audience.
 */

/** A member as planning and templates see it. */
export interface PlannedMember {
  readonly seq: number;
  readonly id: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly wechatOpenid: string | null;
  readonly tier: string | null;
  readonly points: number | null;
  readonly city: string | null;
  readonly gender: string | null;
  readonly birthday: string | null;
  readonly joinedAt: number | null;
  readonly timezone: string | null;
  readonly referredBy: string | null;
  readonly consent: Readonly<Record<ChannelName, boolean>>;
  readonly optedOut: Readonly<Record<ChannelName, boolean>>;
  /** Custom fields (patron.yaml members.fields), typed. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Points expiring within the next 30 days and the first such expiry, when asked for. */
  readonly expiring?: { readonly points: number; readonly firstExpiry: number | null };
}

/** A page row: the member's columns, and what planning adds to them. */
interface Row extends MemberRow {
  seq: number;
  /** The channels the member opted out of, comma-separated; null for none (nearly everyone). */
  opted_out: string | null;
  expiring_points: number | null;
  first_expiry: number | null;
}

export const EXPIRING_DAYS = 30;

export interface AudiencePages {
  readonly size: number;
  /** The next page of members after the one returned last, or an empty array at the end. */
  next(): PlannedMember[];
  /** Drops the TEMP tables. */
  close(): void;
}

/**
 * Writes the audience (the compiled query and its parameters) to TEMP tables and pages through
 * it. `skipDecidedIn`: members that already have an outbox row for this run are left out (a
 * planning interrupted by a crash resumes where it stopped). `expiring`: also load the points
 * expiring in (asOf, asOf + 30 days] per member (one range scan of point_lots for the whole run).
 */
export function openAudience(
  db: Db,
  query: { readonly sql: string; readonly params: readonly unknown[] },
  options: { readonly skipDecidedIn?: number; readonly asOf: number; readonly expiring: boolean; readonly pageSize?: number },
): AudiencePages {
  db.exec("DROP TABLE IF EXISTS temp.plan_audience; DROP TABLE IF EXISTS temp.plan_expiring");
  db.exec("CREATE TEMP TABLE plan_audience (seq INTEGER PRIMARY KEY, member_id TEXT NOT NULL)");
  db.prepare(`INSERT INTO temp.plan_audience (member_id) SELECT * FROM (${query.sql})`).run(...query.params);
  if (options.skipDecidedIn !== undefined) {
    db.prepare("DELETE FROM temp.plan_audience WHERE member_id IN (SELECT member_id FROM main.outbox WHERE run_id = ?)").run(
      options.skipDecidedIn,
    );
  }
  const size = Number(db.prepare("SELECT count(*) FROM temp.plan_audience").pluck().get());
  if (options.expiring) {
    db.exec("CREATE TEMP TABLE plan_expiring (member_id TEXT PRIMARY KEY, points REAL, first_expiry INTEGER) WITHOUT ROWID");
    db.prepare(
      `INSERT INTO temp.plan_expiring
       SELECT member_id, sum(points), min(expires_at) FROM main.point_lots
       WHERE expires_at > ? AND expires_at <= ? AND earned_at <= ? GROUP BY member_id`,
    ).run(options.asOf, options.asOf + EXPIRING_DAYS * 86_400_000, options.asOf);
  }
  const page = db.prepare<[number, number], Row>(`
    SELECT a.seq, m.id, m.name, m.phone, m.email, m.wechat_openid, m.tier, m.points, m.city, m.gender, m.birthday,
      m.joined_at, m.timezone, m.referred_by, m.consent_sms, m.consent_email, m.consent_wechat, m.attributes,
      (SELECT group_concat(o.channel) FROM main.opt_out_current o WHERE o.member_id = m.id) AS opted_out,
      ${options.expiring ? "e.points AS expiring_points, e.first_expiry" : "NULL AS expiring_points, NULL AS first_expiry"}
    FROM temp.plan_audience AS a JOIN main.members AS m ON m.id = a.member_id
    ${options.expiring ? "LEFT JOIN temp.plan_expiring AS e ON e.member_id = m.id" : ""}
    WHERE a.seq > ? ORDER BY a.seq LIMIT ?`);
  const pageSize = options.pageSize ?? 2000;
  let after = 0;
  return {
    size,
    next() {
      const rows = page.all(after, pageSize);
      if (rows.length > 0) after = (rows[rows.length - 1] as Row).seq;
      return rows.map((r) => toMember(r, options.expiring));
    },
    close() {
      db.exec("DROP TABLE IF EXISTS temp.plan_audience; DROP TABLE IF EXISTS temp.plan_expiring");
    },
  };
}

function toMember(r: Row, expiring: boolean): PlannedMember {
  return {
    seq: r.seq,
    id: r.id,
    name: r.name,
    phone: r.phone,
    email: r.email,
    wechatOpenid: r.wechat_openid,
    tier: r.tier,
    points: r.points,
    city: r.city,
    gender: r.gender,
    birthday: r.birthday,
    joinedAt: r.joined_at,
    timezone: r.timezone,
    referredBy: r.referred_by,
    consent: { sms: r.consent_sms === 1, email: r.consent_email === 1, wechat: r.consent_wechat === 1 },
    optedOut: r.opted_out === null ? NO_OPT_OUTS : optOutsOf(r.opted_out),
    attributes: JSON.parse(r.attributes) as Record<string, unknown>,
    ...(expiring ? { expiring: { points: r.expiring_points ?? 0, firstExpiry: r.first_expiry } } : {}),
  };
}

const NO_OPT_OUTS: Readonly<Record<ChannelName, boolean>> = Object.freeze({ sms: false, email: false, wechat: false });

function optOutsOf(channels: string): Record<ChannelName, boolean> {
  const list = channels.split(",");
  return { sms: list.includes("sms"), email: list.includes("email"), wechat: list.includes("wechat") };
}

/** A member's reachability on a channel, for chooseChannel. */
export function reachOf(member: PlannedMember, channel: ChannelName): Reach {
  const address = channel === "sms" ? member.phone : channel === "email" ? member.email : member.wechatOpenid;
  return { address, consent: member.consent[channel], optedOut: member.optedOut[channel] };
}
