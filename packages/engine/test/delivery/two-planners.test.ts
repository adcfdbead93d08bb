import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toCheckEnvironment } from "@patron/config";
import type { CampaignDefinition } from "@patron/dsl";
import { afterEach, describe, expect, it } from "vitest";
// The built planRun and planner: the writing thread (dist/runs/outbox-worker.js) exists beside
// dist only, and plans with the built modules.
import { planRun, runFunnel } from "../../dist/runs/run.js";
import { createPlanner } from "../../dist/plan/prepare.js";
import { openPages, writeAudience } from "../../src/plan/members.js";
import type { PlanInput } from "../../src/plan/plan-run.js";
import type { Writing } from "../../src/runs/outbox-sink.js";
import { openStore, type Db } from "../../src/store/store.js";
import { BASE_YAML, project, type Project } from "../render/support.js";
import { addMember } from "../support/store.js";
import { AS_OF, DAY, plannedOutcome, SLOT } from "./support.js";

/*
 * A run's writing thread plans pages too when it can render as the planning thread does (the
 * input names its project) and the campaign hands out no coupon codes: both threads take pages
 * from one counter. Whatever thread decided a page, the outbox must be the one the planning
 * thread alone would have written.
 */

const YAML = `${BASE_YAML}
messages:
  statement:
    purpose: service
    sms:
      body: "{{member.name}}: {{points}} points{{#if member.tier}} ({{member.tier}}){{/if}}"
    email:
      subject: "{{member.name}}, your points"
      html: "<p>{{points}} points{{#if member.vip_store}} at {{member.vip_store}}{{/if}}</p><a href=\\"{{unsubscribeUrl}}\\">unsubscribe</a>"
    wechat:
      templateId: tpl-points
      kind: points-change
      data:
        first: "{{member.name}}"
        keyword1: "{{points}}"
        keyword2: "{{expiringPoints}} expiring"
  gift:
    purpose: marketing
    sms:
      body: "{{member.name}}: {{coupon.code}}"
coupons:
  GIFT-5: { value: "5 off", message: gift, codes: { prefix: "G-", length: 8 } }
`;

const CAMPAIGNS = {
  "statement.campaign":
    'campaign "statement" {\n  holdout 10%\n  when points >= 0, award 5 points and send message "statement" via sms or email or wechat\n}\n',
  "gift.campaign": 'campaign "gift" {\n  when points >= 0, send coupon "GIFT-5" via sms\n}\n',
};

/** Members over six pages of 500: every reachability case, in turn. */
const MEMBERS = 2_600;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

let shared: Project | undefined;
function repository(): Project {
  shared ??= project(YAML, CAMPAIGNS);
  return shared;
}

function fileStore(): Db {
  const dir = mkdtempSync(join(tmpdir(), "patron-two-planners-"));
  const db = openStore(join(dir, "patron.db"));
  cleanup.push(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const lot = db.prepare("INSERT INTO point_lots (member_id, points, earned_at, expires_at, source) VALUES (?, ?, ?, ?, 'test')");
  db.transaction(() => {
    for (let i = 1; i <= MEMBERS; i++) {
      const id = `m${String(i).padStart(5, "0")}`;
      addMember(db, {
        id,
        name: `会员 ${i}`,
        points: i * 3,
        ...(i % 6 !== 0 && { tier: i % 2 === 0 ? "gold" : "silver" }),
        ...(i % 5 !== 0 && { phone: `+86138${String(i).padStart(8, "0")}`, consent_sms: i % 11 !== 0 }),
        ...(i % 3 === 0 && { email: `${id}@example.com`, consent_email: true }),
        ...(i % 4 === 0 && { wechat_openid: `o${id}`, consent_wechat: true }),
        ...(i % 7 === 0 && { attributes: { vip_store: `SH${i % 13}` } }),
      });
      // Points expiring within 30 days for some, which the WeChat template shows.
      if (i % 8 === 0) lot.run(id, i, AS_OF - 100 * DAY, AS_OF + (i % 40) * DAY);
    }
  })();
  return db;
}

function campaignNamed(id: string): CampaignDefinition {
  const found = repository().campaigns.find((c) => c.id === id);
  if (!found) throw new Error(`no campaign ${id}`);
  return found;
}

/** The input `patron run` makes (createPlanner), with the planning thread's renders slowed when asked. */
function input(db: Db, campaign: string, slowPlanningThread = false): PlanInput {
  const { config } = repository();
  const planner = createPlanner({ db, config, env: toCheckEnvironment(config), segments: new Map(), signingSecret: "test-secret" });
  const made = planner.input(campaignNamed(campaign), AS_OF);
  if (!slowPlanningThread) return made;
  // 2 ms a render on the planning thread: the writing thread, which renders with templates of
  // its own, takes the pages it leaves.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return {
    ...made,
    render: (...args) => {
      Atomics.wait(pause, 0, 0, 2);
      return made.render(...args);
    },
  };
}

function plan(db: Db, campaign: string, writing: Writing, slow = false) {
  return planRun(input(db, campaign, slow), SLOT, `${campaign}.campaign`, { writing });
}

/** What a planning left, each GIFT-5 code replaced by its member. */
const outcome = (db: Db) => plannedOutcome(db, /G-[A-Z0-9]{8}/g);

/** The outbox, lots and runs of `db` are those the planning thread alone leaves in a fresh store. */
function expectAsPlannedAlone(db: Db): void {
  const alone = fileStore();
  plan(alone, "statement", "thread");
  expect(outcome(db)).toEqual(outcome(alone));
}

describe("planning on two threads", () => {
  it("writes what the planning thread alone writes: rows, rendered content, point lots, funnel", () => {
    const alone = fileStore();
    const both = fileStore();
    const one = plan(alone, "statement", "thread");
    const two = plan(both, "statement", "worker", true);
    expect(one.decided).toEqual({ planningThread: MEMBERS, writingThread: 0 });
    expect(two.decided.writingThread).toBeGreaterThanOrEqual(500);
    expect(two.decided.planningThread + two.decided.writingThread).toBe(MEMBERS);
    expect(two.funnel).toEqual(one.funnel);
    expect(two.funnel).toEqual(runFunnel(both, two.run.id));
    const expected = outcome(alone);
    expect(outcome(both)).toEqual(expected);
    // The content is the templates' (each thread compiled them): points expiring, custom fields,
    // signed unsubscribe links.
    expect(expected.outbox.filter((row) => /"keyword2":"[1-9]\d* expiring"/.test(row.content ?? "")).length).toBeGreaterThan(5);
    expect(
      expected.outbox.some((row) => row.content?.includes("at SH") && row.content.includes("t=") && !row.content.includes("preview")),
    ).toBe(true);
    // In the audience's order, whichever thread decided the page.
    const members = both.prepare("SELECT member_id FROM outbox ORDER BY id").pluck().all() as string[];
    expect(members).toEqual([...members].sort());
  });

  it("leaves a store of few members to the planning thread: the writing thread only writes, as it starts faster", () => {
    const db = fileStore();
    const result = plan(db, "statement", "auto", true);
    expect(result.decided).toEqual({ planningThread: MEMBERS, writingThread: 0 });
    expectAsPlannedAlone(db);
  });

  it("leaves a campaign that hands out coupon codes to the planning thread: one issuer, one cap", () => {
    const db = fileStore();
    const result = plan(db, "gift", "worker", true);
    expect(result.decided).toEqual({ planningThread: MEMBERS, writingThread: 0 });
    expect(result.funnel).toEqual(runFunnel(db, result.run.id));
    expect(db.prepare("SELECT count(*) FROM coupon_codes").pluck().get()).toBe(result.funnel.planned.sms);
  });

  it("plans on the planning thread alone when no scratch database can be made for the audience", () => {
    const db = fileStore();
    const tmp = process.env["TMPDIR"];
    process.env["TMPDIR"] = join(tmpdir(), "patron-no-such-directory", "deeper");
    let result: ReturnType<typeof plan>;
    try {
      result = plan(db, "statement", "worker", true);
    } finally {
      if (tmp === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = tmp;
    }
    expect(result.decided).toEqual({ planningThread: MEMBERS, writingThread: 0 });
    expectAsPlannedAlone(db);
  });

  it("stops at a page it cannot write and resumes from there, to the same outcome", () => {
    const db = fileStore();
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.member_id = 'm01701'
             BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END`);
    expect(() => plan(db, "statement", "worker", true)).toThrow(/the disk is on fire \(writing the outbox\)/);
    // Pages are written in order: only whole pages before the failing one (the fourth) are there.
    const written = db.prepare("SELECT count(DISTINCT member_id) FROM outbox").pluck().get() as number;
    expect([0, 500, 1000, 1500]).toContain(written);
    db.exec("DROP TRIGGER refuse");
    const resumed = plan(db, "statement", "worker", true);
    expect(resumed.resumed).toBe(true);
    expect(resumed.decided.planningThread + resumed.decided.writingThread).toBe(MEMBERS - written);
    const whole = fileStore();
    expect(resumed.funnel).toEqual(plan(whole, "statement", "thread").funnel);
    expect(outcome(db)).toEqual(outcome(whole));
  });
});

describe("an audience shared with another connection", () => {
  it("is read alike by both, page by page, and its scratch database is deleted when it is closed", () => {
    const db = fileStore();
    const options = { asOf: AS_OF, expiring: false, channels: ["sms", "email"] } as const;
    const audience = writeAudience(
      db,
      { sql: "SELECT id, rowid FROM members WHERE points >= 3000 ORDER BY id", params: [] },
      {
        ...options,
        shared: true,
      },
    );
    expect(audience.size).toBe(MEMBERS - 999);
    expect(audience.pages).toBe(4);
    expect(audience.file && existsSync(audience.file)).toBe(true);
    const other = openStore(db.name, { mustExist: true });
    try {
      const here = openPages(db, audience, options);
      const there = openPages(other, audience, options);
      for (let k = 0; k <= audience.pages; k++) expect(there.page(k)).toEqual(here.page(k));
      expect(here.page(0)[0]?.id).toBe("m01000");
      expect(here.page(audience.pages)).toEqual([]);
      there.close();
      here.close();
    } finally {
      other.close();
    }
    audience.close();
    expect(existsSync(audience.file as string)).toBe(false);
  });

  it("is a TEMP table of its connection when no scratch database can be made there", () => {
    const db = fileStore();
    const options = { asOf: AS_OF, expiring: false, channels: ["sms"] } as const;
    const audience = writeAudience(
      db,
      { sql: "SELECT id, rowid FROM members ORDER BY id", params: [] },
      {
        ...options,
        shared: true,
        scratchDir: join(tmpdir(), "patron-no-such-directory", "deeper"),
      },
    );
    expect(audience.file).toBeUndefined();
    const pages = openPages(db, audience, options);
    expect(pages.page(5).map((m) => m.id)).toEqual(Array.from({ length: 100 }, (_, k) => `m${String(2501 + k).padStart(5, "0")}`));
    pages.close();
    audience.close();
    expect(db.prepare("SELECT count(*) FROM pragma_database_list WHERE name = 'plan_share'").pluck().get()).toBe(0);
  });
});
