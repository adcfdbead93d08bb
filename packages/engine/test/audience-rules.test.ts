import { describe, expect, it } from "vitest";
import type { Db } from "../src/store/store.js";
import { audienceByRules, compileCampaign, evaluateMember, UnknownMemberError } from "../src/audience/rules/index.js";
import { ENGINE_TEST_ENV, checkCampaign } from "./support/campaigns.js";
import { addMember, addPointLot, addPurchase, instant, memoryStore, type MemberInput } from "./support/store.js";

/*
 * The json-rules-engine evaluator against SEMANTICS.md, one kind of condition at a time, on
 * hand-made members placed on the edges: window boundaries to the millisecond, missing values,
 * returns, time zones on both sides of the date line, 29 February.
 */

const ZONE = "Asia/Shanghai";
/** Saturday 5 December 2026, 09:30 in Shanghai (01:30 UTC). */
const AS_OF = instant("2026-12-05T09:30", ZONE);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface AudienceOptions {
  readonly asOf?: number;
  readonly segments?: string;
}

/** The members a one-line campaign with this condition selects. */
async function audience(db: Db, condition: string, options: AudienceOptions = {}): Promise<string[]> {
  const { campaign, segments } = checkCampaign(`when ${condition}, send message "welcome" via sms`, { segments: options.segments });
  return audienceByRules(db, campaign, { env: ENGINE_TEST_ENV, segments, asOf: options.asOf ?? AS_OF });
}

function store(...members: MemberInput[]): Db {
  const db = memoryStore();
  for (const m of members) addMember(db, m);
  return db;
}

describe("existence", () => {
  it("a member who joins after as-of is in no audience, not even one made of `not`", async () => {
    const db = store({ id: "early", joined_at: AS_OF }, { id: "late", joined_at: AS_OF + 1 }, { id: "unknown" });
    expect(await audience(db, "not bought anything")).toEqual(["early", "unknown"]);
  });
});

describe("bought", () => {
  it("a window is (as-of − W, as-of]: exactly W before is out, as-of itself in, later data does not exist", async () => {
    const db = store({ id: "edge" }, { id: "inside" }, { id: "now" }, { id: "later" });
    addPurchase(db, { member_id: "edge", order_id: "1", purchased_at: AS_OF - 30 * DAY });
    addPurchase(db, { member_id: "inside", order_id: "2", purchased_at: AS_OF - 30 * DAY + 1 });
    addPurchase(db, { member_id: "now", order_id: "3", purchased_at: AS_OF });
    addPurchase(db, { member_id: "later", order_id: "4", purchased_at: AS_OF + 1 });
    expect(await audience(db, "bought anything within 30 days")).toEqual(["inside", "now"]);
    expect(await audience(db, "bought anything")).toEqual(["edge", "inside", "now"]);
  });

  it("counts distinct orders with a positive quantity", async () => {
    const db = store({ id: "two-lines" }, { id: "two-orders" }, { id: "returned" });
    addPurchase(db, { member_id: "two-lines", order_id: "A", sku: "S1", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "two-lines", order_id: "A", sku: "S2", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "two-orders", order_id: "B", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "two-orders", order_id: "C", purchased_at: AS_OF - 2 * DAY });
    addPurchase(db, { member_id: "returned", order_id: "D", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "returned", order_id: "E", purchased_at: AS_OF - DAY, quantity: -1 });
    addPurchase(db, { member_id: "returned", order_id: "F", purchased_at: AS_OF - DAY, quantity: 0 });
    expect(await audience(db, "bought at least 2 times within 7 days")).toEqual(["two-orders"]);
    expect(await audience(db, "bought exactly 1 time within 7 days")).toEqual(["returned", "two-lines"]);
  });

  it("with no purchases the count is 0", async () => {
    const db = store({ id: "none" });
    expect(await audience(db, "bought exactly 0 times within 7 days")).toEqual(["none"]);
    expect(await audience(db, "bought at most 1 time")).toEqual(["none"]);
  });

  it("item filters compare exactly, case included", async () => {
    const db = store({ id: "pantene" }, { id: "lower" }, { id: "hs" }, { id: "no-brand" });
    addPurchase(db, {
      member_id: "pantene",
      order_id: "1",
      brand: "Pantene",
      category: "shampoo",
      sku: "85123A",
      purchased_at: AS_OF - DAY,
    });
    addPurchase(db, { member_id: "lower", order_id: "2", brand: "pantene", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "hs", order_id: "3", brand: "Head & Shoulders", category: "shampoo", purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "no-brand", order_id: "4", purchased_at: AS_OF - DAY });
    expect(await audience(db, "bought brand Pantene")).toEqual(["pantene"]);
    expect(await audience(db, 'bought brand in (Pantene, "Head & Shoulders")')).toEqual(["hs", "pantene"]);
    expect(await audience(db, "bought category shampoo")).toEqual(["hs", "pantene"]);
    expect(await audience(db, 'bought sku "85123A"')).toEqual(["pantene"]);
    expect(await audience(db, "bought anything")).toEqual(["hs", "lower", "no-brand", "pantene"]);
  });

  it("months are calendar months in the business zone: 31 March − 1 month is 28 February", async () => {
    const asOf = instant("2027-03-31T10:00", ZONE);
    const db = store({ id: "feb28" }, { id: "feb28-later" });
    addPurchase(db, { member_id: "feb28", order_id: "1", purchased_at: instant("2027-02-28T10:00", ZONE) });
    addPurchase(db, { member_id: "feb28-later", order_id: "2", purchased_at: instant("2027-02-28T10:00:00.001", ZONE) });
    expect(await audience(db, "bought anything within 1 month", { asOf })).toEqual(["feb28-later"]);
  });
});

describe("spent", () => {
  it("sums amounts net of returns, 0 without purchases", async () => {
    const db = store({ id: "net" }, { id: "none" }, { id: "gross" });
    addPurchase(db, { member_id: "net", order_id: "1", amount: 300, purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "net", order_id: "2", amount: -150, quantity: -1, purchased_at: AS_OF - DAY });
    addPurchase(db, { member_id: "gross", order_id: "3", amount: 300, purchased_at: AS_OF - DAY });
    expect(await audience(db, "spent at least 200 within 30 days")).toEqual(["gross"]);
    expect(await audience(db, "spent less than 200 within 30 days")).toEqual(["net", "none"]);
    expect(await audience(db, "spent exactly 150")).toEqual(["net"]);
  });
});

describe("last purchase", () => {
  // b = as-of − 60 days; a purchase exactly on b.
  const b = AS_OF - 60 * DAY;
  const cases: [string, string[]][] = [
    ["more than 60 days ago", ["before"]],
    ["at least 60 days ago", ["before", "on"]],
    ["less than 60 days ago", ["after"]],
    ["at most 60 days ago", ["after", "on"]],
    ["exactly 60 days ago", ["before", "on"]],
  ];
  it.each(cases)("last purchase %s, on the boundary to the millisecond", async (words, expected) => {
    const db = store({ id: "before" }, { id: "on" }, { id: "after" }, { id: "none" });
    addPurchase(db, { member_id: "before", order_id: "1", purchased_at: b - 1 });
    addPurchase(db, { member_id: "on", order_id: "2", purchased_at: b });
    addPurchase(db, { member_id: "after", order_id: "3", purchased_at: b + 1 });
    expect(await audience(db, `last purchase ${words}`)).toEqual(expected);
  });

  it("exactly N days ago is the day-long interval (as-of − N−1 days, as-of − N days]", async () => {
    const db = store({ id: "start" }, { id: "just-after-start" });
    addPurchase(db, { member_id: "start", order_id: "1", purchased_at: b - DAY });
    addPurchase(db, { member_id: "just-after-start", order_id: "2", purchased_at: b - DAY + 1 });
    expect(await audience(db, "last purchase exactly 60 days ago")).toEqual(["just-after-start"]);
  });

  it("no purchase (returns do not count) has no last purchase: false, and its negation true", async () => {
    const db = store({ id: "returns-only" }, { id: "none" });
    addPurchase(db, { member_id: "returns-only", order_id: "1", quantity: -1, purchased_at: b - DAY });
    expect(await audience(db, "last purchase more than 60 days ago")).toEqual([]);
    expect(await audience(db, "not last purchase more than 60 days ago")).toEqual(["none", "returns-only"]);
  });
});

describe("points expiring", () => {
  it("sums lots earned by as-of whose expiry is in (as-of, as-of + W]", async () => {
    const db = store({ id: "m" }, { id: "edges" }, { id: "none" });
    addPointLot(db, { member_id: "m", points: 300, earned_at: AS_OF - DAY, expires_at: AS_OF + 30 * DAY });
    addPointLot(db, { member_id: "m", points: 300, earned_at: AS_OF - DAY, expires_at: AS_OF + 1 });
    addPointLot(db, { member_id: "edges", points: 1000, earned_at: AS_OF - DAY, expires_at: AS_OF });
    addPointLot(db, { member_id: "edges", points: 1000, earned_at: AS_OF - DAY, expires_at: AS_OF + 30 * DAY + 1 });
    addPointLot(db, { member_id: "edges", points: 1000, earned_at: AS_OF + 1, expires_at: AS_OF + DAY });
    addPointLot(db, { member_id: "edges", points: 1000, earned_at: AS_OF - DAY, expires_at: null });
    expect(await audience(db, "points expiring within 30 days >= 500")).toEqual(["m"]);
    expect(await audience(db, "points expiring within 30 days = 0")).toEqual(["edges", "none"]);
  });
});

describe("joined within", () => {
  it("is (as-of − W, as-of]; no joined_at is false", async () => {
    const db = store({ id: "edge", joined_at: AS_OF - 14 * DAY }, { id: "in", joined_at: AS_OF - 14 * DAY + 1 }, { id: "unknown" });
    expect(await audience(db, "joined within 14 days")).toEqual(["in"]);
  });
});

describe("birthday and age, on the member's local date", () => {
  // 10:30 UTC on 5 December: already 6 December in Kiritimati (+14), still 4 December in Pago Pago (−11).
  const asOf = instant("2026-12-05T10:30Z");
  const db = (): Db =>
    store(
      { id: "kiritimati-6th", birthday: "1990-12-06", timezone: "Pacific/Kiritimati" },
      { id: "pago-4th", birthday: "1990-12-04", timezone: "Pacific/Pago_Pago" },
      { id: "pago-6th", birthday: "1990-12-06", timezone: "Pacific/Pago_Pago" },
      { id: "shanghai-5th", birthday: "1990-12-05" },
      { id: "bad-zone-5th", birthday: "1990-12-05", timezone: "Mars/Olympus_Mons" },
      { id: "no-birthday", timezone: "Pacific/Kiritimati" },
    );

  it("birthday within 1 day is a birthday today, in the member's zone (business zone when theirs is invalid)", async () => {
    expect(await audience(db(), "birthday within 1 day", { asOf })).toEqual(["bad-zone-5th", "kiritimati-6th", "pago-4th", "shanghai-5th"]);
  });

  it("hours round up to whole days; a week is seven local days from today", async () => {
    expect(await audience(db(), "birthday within 2 hours", { asOf })).toEqual([
      "bad-zone-5th",
      "kiritimati-6th",
      "pago-4th",
      "shanghai-5th",
    ]);
    expect(await audience(db(), "birthday within 1 week", { asOf })).toEqual([
      "bad-zone-5th",
      "kiritimati-6th",
      "pago-4th",
      "pago-6th",
      "shanghai-5th",
    ]);
  });

  it("a 29 February birthday is celebrated on 28 February in other years, and the age turns then", async () => {
    const feb28 = instant("2027-02-28T12:00", ZONE);
    const leap = store({ id: "leapling", birthday: "2000-02-29" }, { id: "march", birthday: "2000-03-01" });
    expect(await audience(leap, "birthday within 1 day", { asOf: feb28 })).toEqual(["leapling"]);
    expect(await audience(leap, "age >= 27", { asOf: feb28 })).toEqual(["leapling"]);
    expect(await audience(leap, "age = 26", { asOf: feb28 })).toEqual(["march"]);
  });

  it("age needs a birthday, whatever the operator", async () => {
    const members = store({ id: "31", birthday: "1995-03-02" }, { id: "none" });
    expect(await audience(members, "age between 25 and 31")).toEqual(["31"]);
    expect(await audience(members, "age != 40")).toEqual(["31"]);
    expect(await audience(members, "not age = 31")).toEqual(["none"]);
  });
});

describe("referred", () => {
  it("counts referred members by their joined_at; unknown or later joins never count", async () => {
    const db = store(
      { id: "A" },
      { id: "B" },
      { id: "r1", referred_by: "A", joined_at: AS_OF - DAY },
      { id: "r2", referred_by: "A", joined_at: AS_OF - 40 * DAY },
      { id: "r3", referred_by: "B", joined_at: null },
      { id: "r4", referred_by: "B", joined_at: AS_OF + 1 },
    );
    expect(await audience(db, "referred at least 1 member within 30 days")).toEqual(["A"]);
    expect(await audience(db, "referred at least 2 members")).toEqual(["A"]);
    expect(await audience(db, "referred exactly 0 members")).toEqual(["B", "r1", "r2", "r3"]);
  });
});

describe("attribute comparisons", () => {
  it("tiers compare by position, case-insensitively; a tier outside the list is missing", async () => {
    const db = store({ id: "gold", tier: "Gold" }, { id: "plat", tier: "PLATINUM" }, { id: "bronze", tier: "bronze" }, { id: "none" });
    expect(await audience(db, "tier >= GOLD")).toEqual(["gold", "plat"]);
    expect(await audience(db, "tier != gold")).toEqual(["plat"]);
    expect(await audience(db, "tier between silver and gold")).toEqual(["gold"]);
    expect(await audience(db, "not tier in (gold, platinum)")).toEqual(["bronze", "none"]);
  });

  it("a comparison on a missing value is false, so its negation is true", async () => {
    const db = store({ id: "p5", points: 5 }, { id: "p20", points: 20 }, { id: "none" });
    expect(await audience(db, "points > 10")).toEqual(["p20"]);
    expect(await audience(db, "not (points > 10)")).toEqual(["none", "p5"]);
    expect(await audience(db, "points != 10")).toEqual(["p20", "p5"]);
    expect(await audience(db, "points not in (5)")).toEqual(["p20"]);
    expect(await audience(db, "points between 5 and 20")).toEqual(["p20", "p5"]);
  });

  it("text is exact and case-sensitive; a number literal compares as its text", async () => {
    const db = store(
      { id: "sh", city: "上海", attributes: { vip_store: "101" } },
      { id: "bj", city: "北京", attributes: { vip_store: "S01" } },
      { id: "s01", attributes: { vip_store: "s01" } },
      { id: "none", attributes: { vip_store: null } },
    );
    expect(await audience(db, 'city in ("北京", "上海")')).toEqual(["bj", "sh"]);
    expect(await audience(db, "vip_store = 101")).toEqual(["sh"]);
    expect(await audience(db, 'vip_store = "S01"')).toEqual(["bj"]);
    expect(await audience(db, 'vip_store is not "S01"')).toEqual(["s01", "sh"]);
  });

  it("booleans, canonical and custom; missing is neither true nor false", async () => {
    const db = store(
      { id: "yes", consent_sms: true, attributes: { app_user: true } },
      { id: "no", consent_sms: false, attributes: { app_user: false } },
      { id: "none" },
    );
    expect(await audience(db, "consent_sms is true")).toEqual(["yes"]);
    expect(await audience(db, "consent_sms is false")).toEqual(["no"]);
    expect(await audience(db, "app_user is not true")).toEqual(["no"]);
  });

  it("dates compare as dates; joined_at against a date uses the day's bounds in the business zone", async () => {
    // 2026-12-01 in Shanghai is [2026-11-30T16:00Z, 2026-12-01T16:00Z).
    const db = store(
      { id: "first-instant", joined_at: "2026-11-30T16:00Z", attributes: { first_visit: "2026-12-01" } },
      { id: "last-instant", joined_at: "2026-12-01T15:59:59.999Z", birthday: "1990-12-01" },
      { id: "day-before", joined_at: "2026-11-30T15:59:59.999Z", birthday: "1990-11-30" },
    );
    expect(await audience(db, "joined_at = 2026-12-01")).toEqual(["first-instant", "last-instant"]);
    expect(await audience(db, "joined_at < 2026-12-01")).toEqual(["day-before"]);
    expect(await audience(db, "joined_at > 2026-11-30")).toEqual(["first-instant", "last-instant"]);
    expect(await audience(db, "joined_at <= 2026-11-30")).toEqual(["day-before"]);
    expect(await audience(db, "birthday >= 1990-12-01")).toEqual(["last-instant"]);
    expect(await audience(db, "first_visit between 2026-12-01 and 2026-12-01")).toEqual(["first-instant"]);
  });
});

describe("segments", () => {
  it("a segment means its condition, segments using segments included", async () => {
    const segments = "segment vip = tier >= platinum\nsegment quiet_vip = member in segment vip and not bought anything within 90 days\n";
    const db = store({ id: "quiet", tier: "diamond" }, { id: "busy", tier: "diamond" }, { id: "gold", tier: "gold" });
    addPurchase(db, { member_id: "busy", order_id: "1", purchased_at: AS_OF - DAY });
    expect(await audience(db, "member in segment quiet_vip", { segments })).toEqual(["quiet"]);
    expect(await audience(db, "not member in segment vip", { segments })).toEqual(["gold"]);
  });
});

describe("evaluating one member", () => {
  it("an unknown member id is an error naming the id, with a near id when there is one", async () => {
    const db = store({ id: "M1001" }, { id: "M1002" });
    const { campaign, segments } = checkCampaign('when tier >= gold, send message "welcome" via sms');
    const compiled = compileCampaign(campaign, { env: ENGINE_TEST_ENV, segments, asOf: AS_OF });
    await expect(evaluateMember(db, compiled, "m1001")).rejects.toThrow('no member with id "m1001"; did you mean "M1001"?');
    await expect(evaluateMember(db, compiled, "X")).rejects.toThrow(new UnknownMemberError("X", undefined));
    await expect(evaluateMember(db, compiled, "X")).rejects.toThrow('no member with id "X"');
  });
});
