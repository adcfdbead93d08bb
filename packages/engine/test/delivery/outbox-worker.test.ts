import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// The built planRun: its outbox is written on a worker thread (dist/runs/outbox-worker.js), which
// the TypeScript sources the other tests import do not have (they write on the planning thread).
import { planRun, runFunnel } from "../../dist/runs/run.js";
import { openOutboxSink } from "../../dist/runs/outbox-sink.js";
import { StoreCouponIssuer } from "../../dist/plan/coupons.js";
import type { RenderFn } from "../../src/plan/decide.js";
import type { Writing } from "../../src/runs/outbox-sink.js";
import { openStore, type Db } from "../../src/store/store.js";
import { addMember } from "../support/store.js";
import { campaign, planInput, plannedOutcome, SLOT } from "./support.js";

/*
 * A run's outbox written by the writing thread and by the planning thread itself: the same rows,
 * codes and point lots; an error writing a page stops the planning with that error, keeps the
 * pages written before it, and the planning resumes from there.
 */

const REWARD = campaign(
  'campaign "reward" {\n  when tier >= gold, award 100 points and send coupon "WINBACK-50" via sms and send message "welcome" via email or wechat\n}\n',
);
/** Members over several pages of 500: every reachability case, in turn. */
const MEMBERS = 1_234;

const open: { dir: string; db: Db }[] = [];
afterEach(() => {
  for (const s of open.splice(0)) {
    s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

function fileStore(): Db {
  const dir = mkdtempSync(join(tmpdir(), "patron-outbox-"));
  const db = openStore(join(dir, "patron.db"));
  open.push({ dir, db });
  db.transaction(() => {
    for (let i = 1; i <= MEMBERS; i++) {
      const id = `m${String(i).padStart(5, "0")}`;
      addMember(db, {
        id,
        name: `Member ${i}`,
        tier: i % 7 === 0 ? "silver" : "gold",
        ...(i % 5 !== 0 && { phone: `1380000${String(i).padStart(4, "0")}`, consent_sms: i % 11 !== 0 }),
        ...(i % 3 === 0 && { email: `${id}@example.com`, consent_email: true }),
        ...(i % 4 === 0 && { wechat_openid: `o${id}`, consent_wechat: true }),
      });
    }
  })();
  return db;
}

function plan(db: Db, writing: Writing) {
  return planRun(planInput(db, REWARD), SLOT, "reward.campaign", { writing });
}

/** What a planning left, each WINBACK-50 code replaced by its member. */
const outcome = (db: Db) => plannedOutcome(db, /WB-[A-Z0-9]{8}/g);

describe("the outbox's writing thread", () => {
  it("writes what the planning thread writes itself: rows, coupon codes, point lots, funnel", () => {
    const byWorker = fileStore();
    const byThread = fileStore();
    const worker = plan(byWorker, "worker");
    const thread = plan(byThread, "thread");
    expect(worker.funnel).toEqual(thread.funnel);
    expect(worker.funnel.planned.sms).toBeGreaterThan(500);
    expect(worker.funnel.awarded).toBe(thread.funnel.awarded);
    const expected = outcome(byThread);
    expect(outcome(byWorker)).toEqual(expected);
    expect(expected.coupons.length).toBe(worker.funnel.planned.sms);
    // Planning the slot again adds nothing, whichever thread writes.
    expect(plan(byWorker, "worker").alreadyPlanned).toBe(true);
    expect(outcome(byWorker)).toEqual(expected);
  });

  for (const writing of ["worker", "thread"] as const) {
    it(`stops the planning at a page it cannot write, keeps only whole pages before it, and resumes from there (${writing})`, () => {
      const db = fileStore();
      // Member m00701 is on the second page of 500 (of the audience: tier gold).
      db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.member_id = 'm00701'
               BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END`);
      expect(() => plan(db, writing)).toThrow(/the disk is on fire/);
      // The writing thread writes the pages waiting together: the first page may have gone with
      // the second. Either way only whole pages before the failing one are there.
      const written = db.prepare("SELECT count(DISTINCT member_id) FROM outbox").pluck().get() as number;
      if (writing === "thread") expect(written).toBe(500);
      else expect([0, 500]).toContain(written);
      expect(db.prepare("SELECT count(*) FROM coupon_codes WHERE member_id NOT IN (SELECT member_id FROM outbox)").pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM point_lots WHERE member_id NOT IN (SELECT member_id FROM outbox)").pluck().get()).toBe(0);

      db.exec("DROP TRIGGER refuse");
      const resumed = plan(db, writing);
      expect(resumed.resumed).toBe(true);
      const whole = fileStore();
      const once = plan(whole, "thread");
      expect(resumed.funnel).toEqual(once.funnel);
      expect(outcome(db)).toEqual(outcome(whole));
    });
  }

  it("writes long messages (a newsletter-sized e-mail for every member) without running out of memory", () => {
    const db = fileStore();
    const long = "<p>丽美 Lumière newsletter</p>".repeat(2_000); // ~56 KB of HTML a member
    const render: RenderFn = (member) => ({
      channel: "email",
      subject: `hi ${member.id}`,
      html: long,
    });
    const welcome = campaign('campaign "news" {\n  when tier >= gold, send message "welcome" via email or sms\n}\n');
    const result = planRun(planInput(db, welcome, { render }), SLOT, "news.campaign", { writing: "worker" });
    const planned = result.funnel.planned.email + result.funnel.planned.sms;
    expect(planned).toBeGreaterThan(800);
    expect(db.prepare("SELECT count(*) FROM outbox WHERE length(content) > 50000").pluck().get()).toBe(planned);
  });

  it("names the writing thread in an error it throws", () => {
    const db = fileStore();
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'read-only today'); END`);
    expect(() => plan(db, "worker")).toThrow(/read-only today \(writing the outbox\)/);
  });

  it("reports the funnel the outbox records, counted from the decisions when it wrote every row", () => {
    const shapes = [
      REWARD,
      campaign('campaign "keep" {\n  holdout 20%\n  when tier >= gold, send message "welcome" via sms or wechat\n}\n'),
      campaign('campaign "points-only" {\n  holdout 10%\n  when tier >= gold, award 50 points\n}\n'),
    ];
    for (const writing of ["worker", "thread"] as const) {
      const db = fileStore();
      for (const shape of shapes) {
        const result = planRun(planInput(db, shape), SLOT, "f", { writing });
        expect(result.funnel, `${shape.id}, ${writing}`).toEqual(runFunnel(db, result.run.id));
        expect(result.funnel.audience).toBeGreaterThan(1000);
      }
    }
  });

  it("is not used for a database in memory: another connection could not see it", () => {
    const db = openStore(":memory:");
    expect(() => planRun(planInput(db, REWARD), SLOT, "reward.campaign", { writing: "worker" })).toThrow(/in memory/);
    db.close();
  });

  it("is started for an audience of more than one page when the writing is left to choose (a page has nothing to overlap)", () => {
    const db = fileStore();
    // Likely large (a store of many members): the thread is started before begin(), and stopped
    // when the audience is one page after all.
    const sinks = [1, 2, 0, 1, 2].map((pages, i) => {
      const sink = openOutboxSink(db, { id: 1, campaign: "reward", slot: SLOT, asOf: SLOT }, new StoreCouponIssuer(db, SLOT), {
        writing: "auto",
        likelyLarge: i >= 3,
      });
      expect(sink.writer()).toBeUndefined();
      sink.begin?.({ size: pages * 500, pages, pageSize: 500, close: () => {} });
      return sink;
    });
    expect(sinks.map((sink) => sink.writer())).toEqual([
      "planning thread",
      "writing thread",
      "planning thread",
      "planning thread",
      "writing thread",
    ]);
    for (const sink of sinks) expect(sink.close()).toEqual({ rows: 0, added: 0, writerDecided: 0 });
    // A whole planning of one page: written by the planning thread, the same outcome.
    const small = fileStore();
    db.exec("DELETE FROM members WHERE id > 'm00400'");
    small.exec("DELETE FROM members WHERE id > 'm00400'");
    plan(small, "auto");
    plan(db, "thread");
    expect(outcome(small)).toEqual(outcome(db));
  });

  it("hands over pages of long messages one at a time while the writing thread lags (memory stays flat)", () => {
    const db = fileStore();
    const locker = openStore(db.name, { mustExist: true });
    // ~56 KB of HTML a member: a page of 500 is ~28 MB of content, over the 16 MB allowed unwritten.
    const long = "<p>丽美 Lumière newsletter</p>".repeat(2_000);
    const render: RenderFn = (member) => ({ channel: "email", subject: `hi ${member.id}`, html: long });
    const welcome = campaign('campaign "news" {\n  when tier >= gold, send message "welcome" via email or sms\n}\n');
    let pagesPlanned = 0;
    try {
      // After the first page is handed over, the writing thread is locked out of the database.
      const input = {
        ...planInput(db, welcome, { render }),
        onProgress: () => {
          pagesPlanned++;
          if (!locker.inTransaction) locker.exec("BEGIN IMMEDIATE");
        },
      };
      expect(() => planRun(input, SLOT, "news.campaign", { writing: "worker", writerStallSeconds: 1 })).toThrow(/wrote nothing in 1 s/);
      // The audience is three pages: a second (if the first was written before the lock) and no
      // third went over; counted by pages alone, all three would have.
      expect(pagesPlanned).toBeLessThanOrEqual(2);
    } finally {
      if (locker.inTransaction) locker.exec("ROLLBACK");
      locker.close();
    }
  });

  it("gives up on a writing thread silent for the stall limit (here: the database locked under it)", () => {
    const db = fileStore();
    const locker = openStore(db.name, { mustExist: true });
    try {
      // After the first page is handed over, another connection takes the write lock and keeps it.
      const input = {
        ...planInput(db, REWARD),
        onProgress: () => {
          if (!locker.inTransaction) locker.exec("BEGIN IMMEDIATE");
        },
      };
      const started = performance.now();
      expect(() => planRun(input, SLOT, "reward.campaign", { writing: "worker", writerStallSeconds: 1 })).toThrow(
        "the outbox's writing thread wrote nothing in 1 s: it stopped, or the database is locked",
      );
      // The limit, not SQLite's busy timeout (5 s), ended the wait.
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      if (locker.inTransaction) locker.exec("ROLLBACK");
      locker.close();
    }
  });
});
