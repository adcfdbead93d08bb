import { describe, expect, it } from "vitest";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import { pickVariant, stableFraction } from "../../src/plan/assign.js";
import { chooseChannel } from "../../src/plan/channel-choice.js";
import type { RenderFn } from "../../src/plan/decide.js";
import { totalPlanned } from "../../src/plan/funnel.js";
import { findRun, lastRunSlot, messageKey, planRun, runFunnel } from "../../src/runs/run.js";
import type { Db } from "../../src/store/store.js";
import { addMember, addPointLot, memoryStore } from "../support/store.js";
import {
  AS_OF,
  campaign,
  count,
  DAY,
  EXPECTED_FUNNEL,
  FILE,
  funnelOf,
  outboxRow,
  outboxRows,
  planInput,
  render,
  SLOT,
  WELCOME_GOLD,
  welcomeStore,
} from "./support.js";

/*
 * Planning a run into the outbox: who gets what on which channel, and why the others get
 * nothing, on a dozen hand-made members; idempotence of a slot; resuming a planning cut short;
 * stable variants; a template that fails for one member.
 */

const sms = (body: string) => JSON.stringify({ channel: "sms", body: `[welcome] ${body}` });
const email = (text: string) => JSON.stringify({ channel: "email", subject: "welcome", text });

describe("planRun", () => {
  it("decides every member of the audience once: channel, address, content or the reason", () => {
    const db = welcomeStore();
    const result = planRun(planInput(db, WELCOME_GOLD), SLOT, FILE);
    expect(result.alreadyPlanned).toBe(false);
    expect(result.resumed).toBe(false);
    expect(result.run).toEqual({ id: 1, campaign: "welcome-gold", slot: SLOT, asOf: AS_OF, state: "planned" });
    expect(result.funnel).toEqual(EXPECTED_FUNNEL);
    expect(totalPlanned(result.funnel)).toBe(6);

    const rows = outboxRows(db).map((r) => [r.member_id, r.decision, r.state, r.channel, r.message, r.address, r.content, r.not_before]);
    expect(rows).toEqual([
      ["m01", "send", "queued", "sms", "welcome", "13800000001", sms("hi Ada"), 0],
      ["m02", "send", "queued", "email", "welcome", "bo@example.com", email("hi Bo"), 0],
      ["m03", "no-consent", "suppressed", null, null, null, null, 0],
      ["m04", "no-address", "suppressed", null, null, null, null, 0],
      ["m05", "send", "queued", "email", "welcome", "ed@example.com", email("hi Ed"), 0],
      ["m06", "no-consent", "suppressed", null, null, null, null, 0],
      ["m07", "send", "queued", "email", "welcome", "gus@example.com", email("hi Gus"), 0],
      ["m09", "send", "queued", "sms", "welcome", "13800000009", sms("hi Ivy"), 0],
      ["m10", "no-address", "suppressed", null, null, null, null, 0],
      ["m11", "send", "queued", "sms", "welcome", "13800000011", sms("hi Kit"), 0],
      ["m12", "no-consent", "suppressed", null, null, null, null, 0],
    ]);
    // Written in the audience's order: among messages due together, the dispatcher sends by id.
    expect(db.prepare("SELECT member_id FROM outbox ORDER BY id").pluck().all()).toEqual(rows.map((r) => r[0]));
    // Nothing of the dispatcher's yet.
    for (const r of outboxRows(db)) {
      expect([r.run_id, r.action, r.attempts, r.claimed_by, r.claimed_at, r.provider_id, r.error_code, r.error, r.sent_at]).toEqual([
        1,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
    }
    expect(db.prepare("SELECT campaign, slot, as_of, file, state, audience, planned_at IS NOT NULL AS done FROM runs").all()).toEqual([
      { campaign: "welcome-gold", slot: SLOT, as_of: AS_OF, file: FILE, state: "planned", audience: 11, done: 1 },
    ]);
    expect(runFunnel(db, 1)).toEqual(EXPECTED_FUNNEL);
    expect(findRun(db, "welcome-gold", SLOT)).toEqual({ id: 1, campaign: "welcome-gold", slot: SLOT, asOf: AS_OF, state: "planned" });
    expect(lastRunSlot(db, "welcome-gold")).toBe(SLOT);
    expect(lastRunSlot(db, "other")).toBeUndefined();
  });

  it("planning the same slot again adds nothing, even for a member who joined the audience since", () => {
    const db = welcomeStore();
    planRun(planInput(db, WELCOME_GOLD), SLOT, FILE);
    const before = outboxRows(db);
    addMember(db, { id: "m13", name: "Mo", tier: "gold", phone: "13800000013", consent_sms: true });
    const again = planRun(
      planInput(db, WELCOME_GOLD, { audience: { ...planInput(db, WELCOME_GOLD).audience, asOf: AS_OF + DAY } }),
      SLOT,
      FILE,
    );
    expect(again.alreadyPlanned).toBe(true);
    expect(again.resumed).toBe(false);
    expect(again.run).toEqual({ id: 1, campaign: "welcome-gold", slot: SLOT, asOf: AS_OF, state: "planned" });
    expect(again.funnel).toEqual(EXPECTED_FUNNEL);
    expect(outboxRows(db)).toEqual(before);
    expect(count(db, "SELECT count(*) FROM runs")).toBe(1);
  });

  it("the next slot is a new run with its own rows", () => {
    const db = welcomeStore();
    planRun(planInput(db, WELCOME_GOLD), SLOT, FILE);
    const next = planRun(
      planInput(db, WELCOME_GOLD, { audience: { ...planInput(db, WELCOME_GOLD).audience, asOf: SLOT + DAY } }),
      SLOT + DAY,
      FILE,
    );
    expect(next.alreadyPlanned).toBe(false);
    expect(next.run).toMatchObject({ id: 2, slot: SLOT + DAY, asOf: SLOT + DAY });
    expect(next.funnel).toEqual(EXPECTED_FUNNEL);
    expect(count(db, "SELECT count(*) FROM outbox WHERE run_id = 2")).toBe(11);
    expect(count(db, "SELECT count(*) FROM outbox WHERE run_id = 2 AND state = 'queued' AND not_before = 0")).toBe(6);
    expect(lastRunSlot(db, "welcome-gold")).toBe(SLOT + DAY);
  });

  it("a run left 'planning' with some rows resumes: only the missing members, with the run's stored as-of", () => {
    // joined within 14 days of the as-of: n1 and n2 at AS_OF. At AS_OF + 5 days n2 (18 days) is out,
    // so only planning at the stored as-of adds n2.
    const c = campaign('campaign "new-members" {\n  when joined within 14 days, send message "welcome" via sms\n}\n');
    const db = memoryStore();
    addMember(db, { id: "n1", name: "Nia", phone: "13900000001", consent_sms: true, joined_at: AS_OF - 10 * DAY });
    addMember(db, { id: "n2", name: "Ned", phone: "13900000002", consent_sms: true, joined_at: AS_OF - 13 * DAY });
    addMember(db, { id: "n3", name: "Noa", phone: "13900000003", consent_sms: true, joined_at: AS_OF - 20 * DAY });
    db.prepare(
      "INSERT INTO runs (id, campaign, slot, as_of, file, state, started_at) VALUES (7, 'new-members', ?, ?, 'f', 'planning', ?)",
    ).run(SLOT, AS_OF, AS_OF);
    const crashed = JSON.stringify({ channel: "sms", body: "written before the crash" });
    db.prepare(
      `INSERT INTO outbox (run_id, member_id, action, decision, channel, message, address, content, state, not_before)
       VALUES (7, 'n1', 0, 'send', 'sms', 'welcome', '13900000001', ?, 'queued', ?)`,
    ).run(crashed, AS_OF);

    const progress: [number, number][] = [];
    const later = { ...planInput(db, c).audience, asOf: AS_OF + 5 * DAY };
    const result = planRun(planInput(db, c, { audience: later, onProgress: (done, total) => progress.push([done, total]) }), SLOT, "f");
    expect(result.resumed).toBe(true);
    expect(result.alreadyPlanned).toBe(false);
    expect(result.run).toEqual({ id: 7, campaign: "new-members", slot: SLOT, asOf: AS_OF, state: "planned" });
    expect(progress).toEqual([[1, 1]]); // n2 only: n1 was decided before the crash
    expect(outboxRows(db).map((r) => [r.member_id, r.content, r.not_before])).toEqual([
      ["n1", crashed, AS_OF], // untouched
      ["n2", sms("hi Ned"), 0],
    ]);
    expect(result.funnel).toEqual(funnelOf(2, {}, { sms: 2 }));
    expect(db.prepare("SELECT state, audience, as_of FROM runs WHERE id = 7").get()).toEqual({
      state: "planned",
      audience: 2,
      as_of: AS_OF,
    });
  });

  it("a template that throws for one member suppresses that member with the reason, and plans everyone else", () => {
    const db = welcomeStore();
    const failing: RenderFn = (member, message, channel, extras) => {
      if (member.id === "m02") throw new Error('{{points}} has no value for member m02 in "welcome"');
      return render(member, message, channel, extras);
    };
    const result = planRun(planInput(db, WELCOME_GOLD, { render: failing }), SLOT, FILE);
    expect(result.funnel).toEqual(funnelOf(11, { "no-address": 2, "no-consent": 3, "template-error": 1 }, { sms: 3, email: 2 }));
    expect(outboxRow(db, "m02")).toMatchObject({
      decision: "template-error",
      state: "suppressed",
      channel: null,
      address: null,
      content: null,
      error: '{{points}} has no value for member m02 in "welcome"',
    });
    expect(outboxRow(db, "m05")).toMatchObject({ state: "queued", channel: "email", content: email("hi Ed") });
  });

  it("several sends of one rule: one row per send (action 0, 1), with the coupon and the points a template needs", () => {
    const c = campaign(
      'campaign "reward" {\n  when tier >= gold, award 100 points and send coupon "WINBACK-50" via sms and send message "welcome" via email\n}\n',
    );
    const db = memoryStore();
    addMember(db, {
      id: "a",
      name: "Ann",
      tier: "gold",
      phone: "13700000001",
      consent_sms: true,
      email: "ann@example.com",
      consent_email: true,
    });
    addMember(db, { id: "b", name: "Ben", tier: "gold", email: "ben@example.com", consent_email: true });
    const result = planRun(planInput(db, c), SLOT, "f");
    // The rule also awards points: every member outside the holdout gets a point lot, reachable or not.
    expect(result.funnel).toEqual({ ...funnelOf(2, { "no-address": 1 }, { sms: 1, email: 2 }), awarded: 2 });
    const lots = db.prepare("SELECT member_id, points, earned_at, expires_at, source FROM point_lots ORDER BY member_id").raw().all();
    const source = `campaign:${c.id}@${new Date(SLOT).toISOString()}`;
    expect(lots).toEqual([
      ["a", 100, AS_OF, null, source],
      ["b", 100, AS_OF, null, source],
    ]);
    // Planning the slot again awards nothing more.
    planRun(planInput(db, c), SLOT, "f");
    expect(db.prepare("SELECT count(*) FROM point_lots").pluck().get()).toBe(2);
    const rows = outboxRows(db);
    expect(rows.map((r) => [r.member_id, r.action, r.decision, r.channel, r.message])).toEqual([
      ["a", 0, "send", "sms", "coupon-issued"],
      ["a", 1, "send", "email", "welcome"],
      ["b", 0, "no-address", null, null],
      ["b", 1, "send", "email", "welcome"],
    ]);
    // The coupon's code is drawn at random: the prefix and 8 characters of the alphabet, valid 30 days.
    const code = db.prepare("SELECT code FROM coupon_codes WHERE member_id = 'a'").pluck().get() as string;
    expect(code).toMatch(/^WB-[A-HJ-NP-Z2-9]{8}$/);
    expect(rows[0]?.content).toBe(
      JSON.stringify({
        channel: "sms",
        body: `[coupon-issued] hi Ann coupon WINBACK-50 (50 off 300) ${code} until ${AS_OF + 30 * DAY} +100 points`,
      }),
    );
    expect(rows[1]?.content).toBe(JSON.stringify({ channel: "email", subject: "welcome", text: "hi Ann +100 points" }));
    expect(rows[3]?.content).toBe(JSON.stringify({ channel: "email", subject: "welcome", text: "hi Ben +100 points" }));
  });

  it("send coupon for brand: the brand's coupon, no valid days when none are configured", () => {
    const c = campaign('when tier >= gold, send coupon for brand "head & shoulders" via sms');
    const db = memoryStore();
    addMember(db, { id: "a", name: "Ann", tier: "gold", phone: "13700000001", consent_sms: true });
    planRun(planInput(db, c), SLOT, "f");
    const row = outboxRow(db, "a");
    expect(row.message).toBe("coupon-issued");
    expect(row.content).toMatch(
      /^\{"channel":"sms","body":"\[coupon-issued\] hi Ann coupon HS-20 \(20 off\) HS-[A-HJ-NP-Z2-9]{8} until none"\}$/,
    );
  });

  it("a template that uses expiring points gets the points expiring in (as-of, as-of + 30 days]", () => {
    const c = campaign('when tier >= gold, send message "points-expiry" via email');
    const db = memoryStore();
    addMember(db, { id: "a", name: "Ann", tier: "gold", email: "ann@example.com", consent_email: true });
    addMember(db, { id: "b", name: "Ben", tier: "gold", email: "ben@example.com", consent_email: true });
    addPointLot(db, { member_id: "a", points: 300, earned_at: AS_OF - 300 * DAY, expires_at: AS_OF + 10 * DAY });
    addPointLot(db, { member_id: "a", points: 200, earned_at: AS_OF - 300 * DAY, expires_at: AS_OF + 30 * DAY }); // the last instant: in
    addPointLot(db, { member_id: "a", points: 100, earned_at: AS_OF - 300 * DAY, expires_at: AS_OF + 30 * DAY + 1 }); // out
    addPointLot(db, { member_id: "a", points: 50, earned_at: AS_OF - 300 * DAY, expires_at: AS_OF }); // expired at the as-of: out
    addPointLot(db, { member_id: "a", points: 70, earned_at: AS_OF + 1, expires_at: AS_OF + 5 * DAY }); // earned after the as-of: out
    planRun(planInput(db, c, { needsExpiring: true }), SLOT, "f");
    const text = (id: string) => (JSON.parse(outboxRow(db, id).content ?? "{}") as { text: string }).text;
    expect(text("a")).toBe(`hi Ann expiring 500 first ${AS_OF + 10 * DAY}`);
    expect(text("b")).toBe("hi Ben expiring 0 first none");
  });
});

describe("messageKey", () => {
  it("is campaign / slot as ISO-8601 UTC / member, with the action after the first send", () => {
    expect(messageKey("welcome-gold", SLOT, "m01", 0)).toBe("welcome-gold/2026-12-05T01:30:00.000Z/m01");
    expect(messageKey("welcome-gold", SLOT, "m01", 1)).toBe("welcome-gold/2026-12-05T01:30:00.000Z/m01/1");
    expect(messageKey("reward", Date.UTC(2027, 0, 1), "会员-7", 2)).toBe("reward/2027-01-01T00:00:00.000Z/会员-7/2");
  });
});

describe("variants", () => {
  const AB = campaign('campaign "ab" {\n  when tier >= gold, send message ("welcome" 30%, "birthday" 70%) via sms\n}\n');
  const N = 2_400; // more than one page of 2,000
  const id = (i: number) => `v${String(i).padStart(4, "0")}`;

  function variantStore(ids: readonly string[]): Db {
    const db = memoryStore();
    db.transaction(() => {
      for (const member of ids)
        addMember(db, { id: member, name: member, tier: "gold", phone: `1380${member.slice(1)}0000`, consent_sms: true });
    })();
    return db;
  }

  const messages = (db: Db): Map<string, string> =>
    new Map(
      (db.prepare("SELECT member_id, message FROM outbox").all() as { member_id: string; message: string }[]).map((r) => [
        r.member_id,
        r.message,
      ]),
    );

  it("are close to the weights over 2,400 members, planned in pages", () => {
    const db = variantStore(Array.from({ length: N }, (_, i) => id(i + 1)));
    const progress: [number, number][] = [];
    const result = planRun(planInput(db, AB, { onProgress: (done, total) => progress.push([done, total]) }), SLOT, "f");
    // Pages of 500 members (plan/members.ts).
    expect(progress).toEqual([
      [500, N],
      [1000, N],
      [1500, N],
      [2000, N],
      [N, N],
    ]);
    expect(result.funnel.planned.sms).toBe(N);
    const welcome = count(db, "SELECT count(*) FROM outbox WHERE message = 'welcome'");
    const birthday = count(db, "SELECT count(*) FROM outbox WHERE message = 'birthday'");
    expect(welcome + birthday).toBe(N);
    // 30% of 2,400 = 720; the binomial standard deviation is √(2400·0.3·0.7) ≈ 22: ±4 sd.
    expect(welcome).toBeGreaterThan(720 - 90);
    expect(welcome).toBeLessThan(720 + 90);
  });

  it("are stable per member: the same in another database with other members in another order", () => {
    const all = Array.from({ length: 400 }, (_, i) => id(i + 1));
    const one = variantStore(all);
    const other = variantStore([...all.filter((_, i) => i % 3 !== 0)].reverse().concat(["x1", "x2"]));
    planRun(planInput(one, AB), SLOT, "f");
    planRun(planInput(other, AB), SLOT + DAY, "g");
    const first = messages(one);
    const second = messages(other);
    expect(second.size).toBe(all.length - 134 + 2);
    for (const [member, message] of second) if (first.has(member)) expect(message, member).toBe(first.get(member));
    // Both variants occur among the members compared (the comparison is not trivially equal).
    expect(new Set(second.values())).toEqual(new Set(["welcome", "birthday"]));
  });

  it("depend on the campaign: another campaign splits the same members differently", () => {
    const ids = Array.from({ length: 200 }, (_, i) => id(i + 1));
    const one = variantStore(ids);
    const two = variantStore(ids);
    planRun(planInput(one, AB), SLOT, "f");
    const renamed = campaign('campaign "ab-2" {\n  when tier >= gold, send message ("welcome" 30%, "birthday" 70%) via sms\n}\n');
    planRun(planInput(two, renamed), SLOT, "f");
    const a = messages(one);
    const b = messages(two);
    expect(ids.filter((m) => a.get(m) !== b.get(m)).length).toBeGreaterThan(20);
  });

  it("stableFraction is in [0, 1), deterministic, and separates its inputs", () => {
    const f = stableFraction("ab", "v0001", "variant:0");
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
    expect(stableFraction("ab", "v0001", "variant:0")).toBe(f);
    expect(stableFraction("ab", "v0001", "variant:1")).not.toBe(f);
    expect(stableFraction("ab", "c", "p")).not.toBe(stableFraction("a", "bc", "p"));
  });

  it("pickVariant takes the variant whose share the fraction falls in", () => {
    const v = [
      { name: "a", percent: 30 },
      { name: "b", percent: 70 },
    ];
    expect(pickVariant(v, 0).name).toBe("a");
    expect(pickVariant(v, 0.2999).name).toBe("a");
    expect(pickVariant(v, 0.3).name).toBe("b");
    expect(pickVariant(v, 0.999999).name).toBe("b");
    const three = [
      { name: "a", percent: 50 },
      { name: "b", percent: 25 },
      { name: "c", percent: 25 },
    ];
    expect([0.49, 0.5, 0.74, 0.75].map((f) => pickVariant(three, f).name)).toEqual(["a", "b", "b", "c"]);
  });
});

describe("chooseChannel", () => {
  const reach = (table: Record<string, { address: string | null; consent: boolean; optedOut?: boolean }>) => (channel: string) => ({
    optedOut: false,
    ...(table[channel] ?? { address: null, consent: false }),
  });

  it("takes the first channel in the order written that has an address, consent and no opt-out", () => {
    const r = reach({ sms: { address: "138", consent: true }, wechat: { address: "oX", consent: true } });
    expect(chooseChannel(["wechat", "sms"], r)).toEqual({ ok: true, channel: "wechat", address: "oX" });
    expect(chooseChannel(["sms", "wechat"], r)).toEqual({ ok: true, channel: "sms", address: "138" });
  });

  it("no-consent when some listed channel has an address; no-address when none has", () => {
    expect(chooseChannel(["sms", "email"], reach({ sms: { address: "138", consent: true, optedOut: true } }))).toEqual({
      ok: false,
      reason: "no-consent",
    });
    expect(chooseChannel(["sms", "email"], reach({ wechat: { address: "oX", consent: true } }))).toEqual({
      ok: false,
      reason: "no-address",
    });
    expect(chooseChannel(["email"], reach({ email: { address: " \t", consent: true } }))).toEqual({ ok: false, reason: "no-address" });
  });
});

describe("recordOptOut", () => {
  it("logs every event and keeps the present state: the first opt-out's time until an opt-in", () => {
    const db = memoryStore();
    addMember(db, { id: "a", phone: "1", consent_sms: true });
    const current = () => db.prepare("SELECT member_id, channel, since, source FROM opt_out_current").all();
    recordOptOut(db, { memberId: "a", channel: "sms", address: "1", action: "opt-out", source: "inbound", detail: "TD", at: 100 });
    recordOptOut(db, { memberId: "a", channel: "sms", action: "opt-out", source: "provider", at: 200 });
    expect(current()).toEqual([{ member_id: "a", channel: "sms", since: 100, source: "inbound" }]);
    recordOptOut(db, { memberId: "a", channel: "sms", action: "opt-in", source: "operator", at: 300 });
    expect(current()).toEqual([]);
    recordOptOut(db, { memberId: "a", channel: "sms", action: "opt-out", source: "unsubscribe", at: 400 });
    recordOptOut(db, { memberId: null, channel: "email", address: "who@example.com", action: "opt-out", source: "unsubscribe", at: 500 });
    expect(current()).toEqual([{ member_id: "a", channel: "sms", since: 400, source: "unsubscribe" }]);
    expect(db.prepare("SELECT member_id, channel, address, action, source, detail, at FROM opt_outs ORDER BY id").all()).toEqual([
      { member_id: "a", channel: "sms", address: "1", action: "opt-out", source: "inbound", detail: "TD", at: 100 },
      { member_id: "a", channel: "sms", address: null, action: "opt-out", source: "provider", detail: null, at: 200 },
      { member_id: "a", channel: "sms", address: null, action: "opt-in", source: "operator", detail: null, at: 300 },
      { member_id: "a", channel: "sms", address: null, action: "opt-out", source: "unsubscribe", detail: null, at: 400 },
      { member_id: null, channel: "email", address: "who@example.com", action: "opt-out", source: "unsubscribe", detail: null, at: 500 },
    ]);
  });
});
