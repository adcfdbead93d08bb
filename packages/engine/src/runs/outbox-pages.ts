import { contentJson, type Decision } from "../plan/decide.js";
import type { Db } from "../store/store.js";

/*
 * A page of a run's decisions as the store keeps them: flat arrays of values, ready to bind. A
 * page is built where the decisions are made and written in one transaction, by the thread that
 * plans or by the outbox's writing thread (outbox-sink.ts): plain arrays cross threads cheaply,
 * decisions (each with its whole member) would not.
 */

/** What a page writer needs of its run. */
export interface RunKeys {
  readonly id: number;
  readonly campaign: string;
  readonly slot: number;
  readonly asOf: number;
}

export interface OutboxPage {
  /**
   * OUTBOX_COLUMNS values a row; a send's content as its JSON text: one string crosses to the
   * writing thread cheaper than the object (a structured clone writes every key of every message,
   * and the writer had to make the objects again only to turn them into JSON). The decision,
   * zone, channel and message of a row are a number when they are one of the page's `words`.
   */
  readonly rows: unknown[];
  /**
   * The few strings a page's rows repeat ("send", the business's time zone, "sms", the message),
   * at most WORDS: rows name them by their index. Binding a string costs better-sqlite3 and
   * SQLite a conversion and two copies; four a row were ~8% of writing one.
   */
  readonly words: (string | null)[];
  /** COUPON_COLUMNS values a code issued: written with the row that carries it. */
  readonly coupons: unknown[];
  /** member id, points: a point lot awarded by the rule (once per member and run). */
  readonly awards: unknown[];
  /** Characters of content in the page: what holding it unwritten costs in memory, roughly. */
  readonly contentLength: number;
}

/**
 * What a page carries a row: the rest of an outbox row is the run's (run_id, planned_for: bound
 * once a statement) or follows from these (state: queued for a send, else suppressed; not_before:
 * deferred_until or 0). Fewer values a row are fewer to copy to the writing thread and to bind.
 */
const ROW_COLUMNS = [
  "member_id",
  "action",
  "decision",
  "marketing",
  "zone",
  "deferred_until",
  "channel",
  "message",
  "address",
  "content",
  "error",
];
const COLUMN_COUNT = ROW_COLUMNS.length;
const column = (name: string): string => `column${ROW_COLUMNS.indexOf(name) + 1}`;
const ROW = `(${Array(COLUMN_COUNT).fill("?").join(", ")})`;
/** Strings a page names by number (OutboxPage.words). */
const WORDS = 8;
/** The columns that may hold a word's number. */
const WORDED = new Set(["decision", "zone", "channel", "message"]);
/** A worded column's value: the word when it holds a number, else itself. */
const unword = (name: string): string =>
  `CASE ${column(name)} ${Array.from({ length: WORDS }, (_, i) => `WHEN ${i} THEN run.w${i}`).join(" ")} ELSE ${column(name)} END`;
const valueOf = (name: string): string => (WORDED.has(name) ? unword(name) : column(name));
/** INSERT OR IGNORE of `rows` page rows: the run's values and the page's words first, then each row's (see ROW_COLUMNS). */
function insertRows(rows: number): string {
  const words = Array.from({ length: WORDS }, (_, i) => `? AS w${i}`).join(", ");
  return `INSERT OR IGNORE INTO outbox (run_id, planned_for, state, not_before, ${ROW_COLUMNS.join(", ")})
    SELECT run.id, run.planned_for, CASE ${unword("decision")} WHEN 'send' THEN 'queued' ELSE 'suppressed' END,
      coalesce(${column("deferred_until")}, 0), ${ROW_COLUMNS.map(valueOf).join(", ")}
    FROM (SELECT ? AS id, ? AS planned_for, ${words}) AS run, (VALUES ${Array(rows).fill(ROW).join(", ")})`;
}
/** Rows per INSERT statement: one statement per row cost more than SQLite's work for it. */
const ROWS_PER_INSERT = 50;
const COUPON_COLUMNS = 4;

/** Points awarded by a run carry it as their source, so a resumed or repeated planning finds them. */
export function awardSource(campaign: string, slot: number): string {
  return `campaign:${campaign}@${new Date(slot).toISOString()}`;
}

/** The rows of a page. */
export function rowCount(page: OutboxPage): number {
  return page.rows.length / COLUMN_COUNT;
}

/** The codes a page issues, for the coupon issuer once the page is written. */
export function issuedCodes(page: OutboxPage): string[] {
  const codes: string[] = [];
  for (let i = 0; i < page.coupons.length; i += COUPON_COLUMNS) codes.push(page.coupons[i] as string);
  return codes;
}

/** The rows, codes and awards of one page of decisions. */
export function outboxPage(run: RunKeys, decisions: readonly Decision[]): OutboxPage {
  const rows: unknown[] = [];
  const coupons: unknown[] = [];
  const awards: unknown[] = [];
  const words = new Map<string, number>();
  const word = (value: string | null): string | number | null => {
    if (value === null) return null;
    let i = words.get(value);
    if (i === undefined) {
      if (words.size === WORDS) return value;
      words.set(value, (i = words.size));
    }
    return i;
  };
  let contentLength = 0;
  for (const d of decisions) {
    if (d.kind === "award") {
      awards.push(d.member.id, d.points);
      if (d.recordRow) rows.push(d.member.id, 0, word("award-only"), 0, null, null, null, null, null, null, null);
    } else if (d.kind === "send") {
      if (d.coupon) coupons.push(d.coupon.code, d.coupon.name, d.member.id, d.coupon.expiresAt);
      const content = contentJson(d.content);
      contentLength += content.length;
      // not_before (deferred_until or 0) only holds a message back: quiet hours now, retry backoff later.
      rows.push(
        d.member.id,
        d.action,
        word("send"),
        d.marketing ? 1 : 0,
        word(d.zone),
        d.deferredUntil ?? null,
        word(d.channel),
        word(d.message),
        d.address,
        content,
        null,
      );
    } else {
      rows.push(d.member.id, d.action, word(d.reason), 0, null, null, null, null, null, null, d.detail ?? null);
    }
  }
  const wordList: (string | null)[] = [...words.keys()];
  while (wordList.length < WORDS) wordList.push(null);
  return { rows, words: wordList, coupons, awards, contentLength };
}

/**
 * Writes pages of a run into the outbox, pages given together in one IMMEDIATE transaction (it
 * reads whether a point lot was awarded before it writes): INSERT OR IGNORE on (run, member,
 * action), so a page written twice — a resumed planning, two processes planning the same slot —
 * adds nothing. Returns the rows the pages added (fewer than they have when some were there).
 */
export function outboxPageWriter(db: Db, run: RunKeys): (pages: readonly OutboxPage[]) => number {
  const issue = db.prepare("INSERT INTO coupon_codes (code, coupon, member_id, run_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
  const insertOne = db.prepare(insertRows(1));
  const insertMany = db.prepare(insertRows(ROWS_PER_INSERT));
  const source = awardSource(run.campaign, run.slot);
  const awarded = db.prepare("SELECT EXISTS (SELECT 1 FROM point_lots WHERE member_id = ? AND source = ?)").pluck();
  const award = db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at, source) VALUES (?, ?, ?, NULL, ?)");
  const writePage = (page: OutboxPage): number => {
    const { coupons, awards, rows, words } = page;
    for (let i = 0; i < coupons.length; i += COUPON_COLUMNS)
      issue.run(coupons[i], coupons[i + 1], coupons[i + 2], run.id, run.asOf, coupons[i + 3]);
    for (let i = 0; i < awards.length; i += 2)
      if (awarded.get(awards[i], source) === 0) award.run(awards[i], awards[i + 1], run.asOf, source);
    const many = ROWS_PER_INSERT * COLUMN_COUNT;
    let added = 0;
    let i = 0;
    // Spread, not one array argument: better-sqlite3 binds arguments faster than array items.
    for (; i + many <= rows.length; i += many) added += insertMany.run(run.id, run.asOf, ...words, ...rows.slice(i, i + many)).changes;
    for (; i < rows.length; i += COLUMN_COUNT)
      added += insertOne.run(run.id, run.asOf, ...words, ...rows.slice(i, i + COLUMN_COUNT)).changes;
    return added;
  };
  const write = db.transaction((pages: readonly OutboxPage[]) => pages.reduce((added, page) => added + writePage(page), 0));
  return (pages) => write.immediate(pages);
}
