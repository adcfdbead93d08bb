import { describe, expect, it } from "vitest";
import type { RenderFn } from "../../src/plan/decide.js";
import { dryRun, maskAddress } from "../../src/plan/dry-run.js";
import { planRun } from "../../src/runs/run.js";
import type { Db } from "../../src/store/store.js";
import { addMember, memoryStore } from "../support/store.js";
import { AS_OF, campaign, count, EXPECTED_FUNNEL, FILE, funnelOf, planInput, render, SLOT, WELCOME_GOLD, welcomeStore } from "./support.js";

/*
 * A dry run plans like a run — the same audience, choices and rendering, counted into the same
 * funnel — and writes nothing; it shows a few rendered messages per channel and message, with
 * the addresses masked.
 */

const written = (db: Db) => ({
  runs: count(db, "SELECT count(*) FROM runs"),
  outbox: count(db, "SELECT count(*) FROM outbox"),
  couponCodes: count(db, "SELECT count(*) FROM coupon_codes"),
  optOuts: count(db, "SELECT count(*) FROM opt_outs"),
  temp: count(db, "SELECT count(*) FROM sqlite_temp_master"),
});

describe("dryRun", () => {
  it("gives the funnel planRun gives on the same data, and writes nothing", () => {
    const db = welcomeStore();
    const before = written(db);
    const dry = dryRun(planInput(db, WELCOME_GOLD));
    expect(dry.campaign).toBe("welcome-gold");
    expect(dry.asOf).toBe(AS_OF);
    expect(dry.funnel).toEqual(EXPECTED_FUNNEL);
    expect(dry.templateErrors).toEqual([]);
    expect(written(db)).toEqual(before);
    expect(before).toMatchObject({ runs: 0, outbox: 0, couponCodes: 0, temp: 0 });

    expect(planRun(planInput(db, WELCOME_GOLD), SLOT, FILE).funnel).toEqual(dry.funnel);
    // After the run, a dry run still shows the whole audience (it is a preview, not a resume).
    const outbox = count(db, "SELECT count(*) FROM outbox");
    expect(dryRun(planInput(db, WELCOME_GOLD)).funnel).toEqual(EXPECTED_FUNNEL);
    expect(count(db, "SELECT count(*) FROM outbox")).toBe(outbox);
  });

  it("keeps the first rendered messages per channel and message, addresses masked", () => {
    const db = welcomeStore();
    const dry = dryRun(planInput(db, WELCOME_GOLD));
    // sms: m01 m09 m11; email: m02 m05 m07 — two of each, in audience order.
    expect(dry.samples).toEqual([
      {
        memberId: "m01",
        memberName: "Ada",
        channel: "sms",
        message: "welcome",
        to: "138****0001",
        content: { channel: "sms", body: "[welcome] hi Ada" },
      },
      {
        memberId: "m02",
        memberName: "Bo",
        channel: "email",
        message: "welcome",
        to: "b**@example.com",
        content: { channel: "email", subject: "welcome", text: "hi Bo" },
      },
      {
        memberId: "m05",
        memberName: "Ed",
        channel: "email",
        message: "welcome",
        to: "e**@example.com",
        content: { channel: "email", subject: "welcome", text: "hi Ed" },
      },
      {
        memberId: "m09",
        memberName: "Ivy",
        channel: "sms",
        message: "welcome",
        to: "138****0009",
        content: { channel: "sms", body: "[welcome] hi Ivy" },
      },
    ]);
    expect(dryRun(planInput(db, WELCOME_GOLD), 1).samples.map((s) => s.memberId)).toEqual(["m01", "m02"]);
    expect(dryRun(planInput(db, WELCOME_GOLD), 0).samples).toEqual([]);
  });

  it("samples each variant of a message separately, capped per message", () => {
    const ab = campaign('campaign "ab" {\n  when tier >= gold, send message ("welcome" 30%, "birthday" 70%) via sms\n}\n');
    const db = memoryStore();
    for (let i = 1; i <= 60; i++)
      addMember(db, {
        id: `v${String(i).padStart(2, "0")}`,
        tier: "gold",
        phone: `139000000${String(i).padStart(2, "0")}`,
        consent_sms: true,
      });
    const dry = dryRun(planInput(db, ab), 3);
    const perMessage = new Map<string, number>();
    for (const s of dry.samples) perMessage.set(s.message, (perMessage.get(s.message) ?? 0) + 1);
    expect(perMessage).toEqual(
      new Map([
        ["welcome", 3],
        ["birthday", 3],
      ]),
    );
    expect(dry.funnel).toEqual(funnelOf(60, {}, { sms: 60 }));
  });

  it("lists the first ten template errors with the reason, and counts all of them", () => {
    const db = memoryStore();
    for (let i = 1; i <= 12; i++)
      addMember(db, { id: `t${String(i).padStart(2, "0")}`, tier: "gold", phone: `1390000${i}`, consent_sms: true });
    addMember(db, { id: "ok", name: "Ok", tier: "gold", phone: "13911111111", consent_sms: true });
    const failing: RenderFn = (member, message, channel, extras) => {
      if (member.id.startsWith("t")) throw new Error(`no name for ${member.id}`);
      return render(member, message, channel, extras);
    };
    const dry = dryRun(planInput(db, campaign('when tier >= gold, send message "welcome" via sms'), { render: failing }));
    expect(dry.funnel).toEqual(funnelOf(13, { "template-error": 12 }, { sms: 1 }));
    expect(dry.templateErrors).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        memberId: `t${String(i + 1).padStart(2, "0")}`,
        detail: `no name for t${String(i + 1).padStart(2, "0")}`,
      })),
    );
    expect(dry.samples.map((s) => s.memberId)).toEqual(["ok"]);
    expect(count(db, "SELECT count(*) FROM outbox")).toBe(0);
  });
});

describe("maskAddress", () => {
  it.each([
    ["sms", "13812345678", "138****5678"],
    ["sms", "+8613812345678", "+86138****5678"],
    ["sms", "+13125550123", "+131****0123"],
    ["sms", "12345678", "12****"],
    ["sms", "123456789", "1****6789"],
    ["email", "ada@example.com", "a**@example.com"],
    ["email", "a@x.cn", "a**@x.cn"],
    ["email", "verylongname@example.com", "v******@example.com"],
    ["email", "@example.com", "***"],
    ["email", "no-at-sign", "***"],
    ["wechat", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUpF****eS6o"],
    ["wechat", "oShort", "oS****"],
  ] as const)("%s %s → %s", (channel, address, masked) => {
    expect(maskAddress(channel, address)).toBe(masked);
  });
});
