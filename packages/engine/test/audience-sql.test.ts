import { beforeEach, describe, expect, test } from "vitest";
import type { Db } from "../src/store/store.js";
import { check, parse, SourceFile } from "@patron/dsl";
import {
  AudienceCompileError,
  compileAudience,
  compileCondition,
  distinctMemberZones,
  iterateAudience,
  selectAudience,
} from "../src/audience/sql/index.js";
import {
  addLots,
  addMembers,
  addPurchases,
  at,
  audience,
  AUDIENCE_ENV,
  BUSINESS_ZONE,
  campaignOf,
  DAY,
  memoryStore,
  program,
} from "./fixtures/audience/support.js";

/*
 * The SQL audience compiler against small member data built row by row, each expectation worked
 * out by hand from packages/engine/src/audience/SEMANTICS.md. The as-of instant is 2026-06-15
 * 12:00 in the business zone (Asia/Shanghai, UTC+8) unless a test says otherwise.
 */

const AS_OF = at("2026-06-15T12:00");
const MS = 1;

let db: Db;
beforeEach(() => {
  db = memoryStore();
});

const who = (condition: string, asOf = AS_OF, segments = ""): string[] => audience(db, condition, asOf, segments);

describe("bought", () => {
  beforeEach(() => {
    addMembers(
      db,
      ["a", "b", "c", "d", "e", "f"].map((id) => ({ id })),
    );
    addPurchases(db, [
      { member: "a", at: AS_OF - 30 * DAY, brand: "Pantene" }, // exactly 30 days before: outside
      { member: "b", at: AS_OF - 30 * DAY + MS, brand: "Pantene" }, // just inside
      { member: "c", at: AS_OF, brand: "Pantene" }, // as-of itself: inside
      { member: "d", at: AS_OF + MS, brand: "Pantene" }, // after as-of: does not exist
      { member: "e", at: AS_OF - DAY, brand: "Pantene", quantity: -1, amount: -10 }, // a return is not a purchase
      { member: "f", at: AS_OF - DAY, brand: "pantene" }, // brands compare case-sensitively
    ]);
  });

  test("within a window: (as-of − W, as-of]", () => {
    expect(who("bought brand Pantene within 30 days")).toEqual(["b", "c"]);
  });

  test("without a window: all history up to as-of", () => {
    expect(who("bought brand Pantene")).toEqual(["a", "b", "c"]);
    expect(who("bought anything")).toEqual(["a", "b", "c", "f"]);
    expect(who("bought")).toEqual(["a", "b", "c", "f"]);
  });

  test("not bought includes members who never bought", () => {
    expect(who("not bought brand Pantene within 30 days")).toEqual(["a", "d", "e", "f"]);
  });

  test("hours and weeks are fixed lengths", () => {
    expect(who("bought brand Pantene within 1 hour")).toEqual(["c"]);
    expect(who("bought brand Pantene within 720 hours")).toEqual(["b", "c"]);
    expect(who("bought anything within 1 week")).toEqual(["c", "f"]);
  });
});

describe("item filters", () => {
  beforeEach(() => {
    addMembers(
      db,
      ["a", "b", "c", "d"].map((id) => ({ id })),
    );
    addPurchases(db, [
      { member: "a", at: AS_OF - DAY, brand: "Head & Shoulders", category: "shampoo", sku: "HS-400" },
      { member: "b", at: AS_OF - DAY, brand: "Pantene", category: "shampoo", sku: "PT-200" },
      { member: "c", at: AS_OF - DAY, brand: "Olay", category: "skincare", sku: "85123A" },
      { member: "d", at: AS_OF - DAY, brand: null, category: null, sku: "X-1" },
    ]);
  });

  test("brand, category, sku, brand in (…), anything", () => {
    expect(who(`bought brand "Head & Shoulders" within 7 days`)).toEqual(["a"]);
    expect(who("bought category shampoo within 7 days")).toEqual(["a", "b"]);
    expect(who("bought sku 85123A within 7 days")).toEqual(["c"]);
    expect(who(`bought brand in (Pantene, Olay) within 7 days`)).toEqual(["b", "c"]);
    expect(who("bought category in (skincare) within 7 days")).toEqual(["c"]);
    expect(who("bought anything within 7 days")).toEqual(["a", "b", "c", "d"]);
  });
});

describe("bought … times counts distinct orders", () => {
  beforeEach(() => {
    addMembers(
      db,
      ["one-order", "two-orders", "three-orders", "none", "old"].map((id) => ({ id })),
    );
    addPurchases(db, [
      // one order of two lines: 1 time
      { member: "one-order", order: "o1", sku: "A", at: AS_OF - DAY, brand: "B" },
      { member: "one-order", order: "o1", sku: "B", at: AS_OF - DAY, brand: "B" },
      { member: "two-orders", order: "o2", at: AS_OF - DAY, brand: "B" },
      { member: "two-orders", order: "o3", at: AS_OF - 2 * DAY, brand: "B" },
      { member: "two-orders", order: "o4", at: AS_OF - 3 * DAY, brand: "B", quantity: -1, amount: -10 }, // a return: not a time
      { member: "three-orders", order: "o5", at: AS_OF - DAY, brand: "B" },
      { member: "three-orders", order: "o6", at: AS_OF - DAY, brand: "B" },
      { member: "three-orders", order: "o7", at: AS_OF - DAY, brand: "B" },
      { member: "three-orders", order: "o8", at: AS_OF + DAY, brand: "B" }, // after as-of
      { member: "old", order: "o9", at: AS_OF - 100 * DAY, brand: "B" },
      { member: "old", order: "o10", at: AS_OF - 100 * DAY, brand: "B" },
    ]);
  });

  test("at least / more than / exactly", () => {
    expect(who("bought brand B at least 2 times within 30 days")).toEqual(["three-orders", "two-orders"]);
    expect(who("bought brand B more than 2 times within 30 days")).toEqual(["three-orders"]);
    expect(who("bought brand B exactly 1 time within 30 days")).toEqual(["one-order"]);
    expect(who("bought brand B at least 2 times")).toEqual(["old", "three-orders", "two-orders"]);
    expect(who("bought at least 1 time within 30 days")).toEqual(["one-order", "three-orders", "two-orders"]);
  });

  test("counts that hold at zero include members who never bought", () => {
    expect(who("bought brand B at most 1 time within 30 days")).toEqual(["none", "old", "one-order"]);
    expect(who("bought brand B less than 3 times within 30 days")).toEqual(["none", "old", "one-order", "two-orders"]);
    expect(who("bought brand B exactly 0 times within 30 days")).toEqual(["none", "old"]);
    expect(who("bought brand B != 2 times within 30 days")).toEqual(["none", "old", "one-order", "three-orders"]);
  });
});

describe("spent", () => {
  beforeEach(() => {
    addMembers(
      db,
      ["net", "big", "none", "late", "returns-only"].map((id) => ({ id })),
    );
    addPurchases(db, [
      { member: "net", at: AS_OF - 5 * DAY, brand: "Olay", amount: 100 },
      { member: "net", at: AS_OF - 2 * DAY, brand: "Olay", quantity: -1, amount: -40 }, // returned: net 60
      { member: "big", at: AS_OF - 5 * DAY, brand: "Olay", amount: 80 },
      { member: "big", at: AS_OF - 4 * DAY, brand: "Pantene", amount: 70 },
      { member: "late", at: AS_OF + MS, brand: "Olay", amount: 500 }, // after as-of
      { member: "returns-only", at: AS_OF - DAY, brand: "Olay", quantity: -1, amount: -30 },
    ]);
  });

  test("net of returns, within a window", () => {
    expect(who("spent at least 100 within 30 days")).toEqual(["big"]);
    expect(who("spent at least 60 within 30 days")).toEqual(["big", "net"]);
    expect(who("spent on brand Olay more than 50 within 30 days")).toEqual(["big", "net"]);
    expect(who("spent on brand Olay = 60")).toEqual(["net"]);
    expect(who("spent on brand Olay at least 60 within 3 days")).toEqual([]);
  });

  test("a sum that holds at zero includes members with no purchases", () => {
    expect(who("spent less than 100 within 30 days")).toEqual(["late", "net", "none", "returns-only"]);
    expect(who("spent on brand Olay at most 0 within 30 days")).toEqual(["late", "none", "returns-only"]);
    expect(who("spent less than 0")).toEqual(["returns-only"]);
  });
});

describe("last purchase … ago", () => {
  beforeEach(() => {
    addMembers(
      db,
      ["d61", "d60", "d59", "never", "old-and-future", "return-recent", "shampoo"].map((id) => ({ id })),
    );
    addPurchases(db, [
      { member: "d61", at: AS_OF - 61 * DAY },
      { member: "d60", at: AS_OF - 60 * DAY },
      { member: "d60", at: AS_OF - 200 * DAY },
      { member: "d59", at: AS_OF - 59 * DAY },
      { member: "d59", at: AS_OF - 100 * DAY },
      { member: "old-and-future", at: AS_OF - 90 * DAY },
      { member: "old-and-future", at: AS_OF + DAY }, // does not exist yet
      { member: "return-recent", at: AS_OF - 90 * DAY },
      { member: "return-recent", at: AS_OF - DAY, quantity: -1, amount: -10 }, // not a purchase
      { member: "shampoo", at: AS_OF - 70 * DAY, category: "shampoo" },
      { member: "shampoo", at: AS_OF - DAY, category: "makeup" },
    ]);
  });

  test("more than / at least / less than / at most / exactly", () => {
    expect(who("last purchase more than 60 days ago")).toEqual(["d61", "old-and-future", "return-recent"]);
    expect(who("last purchase at least 60 days ago")).toEqual(["d60", "d61", "old-and-future", "return-recent"]);
    expect(who("last purchase less than 60 days ago")).toEqual(["d59", "shampoo"]);
    expect(who("last purchase at most 60 days ago")).toEqual(["d59", "d60", "shampoo"]);
    expect(who("last purchase exactly 60 days ago")).toEqual(["d60"]);
    expect(who("last purchase exactly 61 days ago")).toEqual(["d61"]);
  });

  test("no purchase at all is false, also under not", () => {
    expect(who("last purchase more than 60 days ago")).not.toContain("never");
    expect(who("not (last purchase more than 60 days ago)")).toContain("never");
  });

  test("several on one item bound the latest purchase to an interval", () => {
    expect(who("last purchase more than 59 days ago and last purchase less than 62 days ago")).toEqual(["d60", "d61"]);
    expect(who("last purchase at least 60 days ago and last purchase at most 60 days ago")).toEqual(["d60"]);
    expect(who("last purchase more than 90 days ago and last purchase less than 60 days ago")).toEqual([]);
    expect(who("last purchase exactly 61 days ago and last purchase more than 60 days ago")).toEqual(["d61"]);
    // on different items they stay apart
    expect(who("last purchase of category shampoo more than 60 days ago and last purchase less than 2 days ago")).toEqual(["shampoo"]);
  });

  test("of an item", () => {
    expect(who("last purchase of category shampoo more than 60 days ago")).toEqual(["shampoo"]);
    expect(who("last purchase of category makeup less than 2 days ago")).toEqual(["shampoo"]);
  });
});

describe("points", () => {
  beforeEach(() => {
    addMembers(db, [
      { id: "rich", points: 5000 },
      { id: "poor", points: 10 },
      { id: "unknown", points: null },
      { id: "expiring", points: 0 },
    ]);
    addLots(db, [
      { member: "expiring", points: 300, earned: AS_OF - 300 * DAY, expires: AS_OF + MS }, // in
      { member: "expiring", points: 200, earned: AS_OF - 300 * DAY, expires: AS_OF + 30 * DAY }, // in: the end is included
      { member: "expiring", points: 1000, earned: AS_OF - 300 * DAY, expires: AS_OF }, // already expired
      { member: "expiring", points: 1000, earned: AS_OF - 300 * DAY, expires: AS_OF + 30 * DAY + MS }, // beyond the window
      { member: "expiring", points: 1000, earned: AS_OF + MS, expires: AS_OF + DAY }, // earned after as-of
      { member: "rich", points: 499, earned: AS_OF - DAY, expires: AS_OF + DAY },
      { member: "poor", points: 100, earned: AS_OF - DAY, expires: null }, // never expires
    ]);
  });

  test("balance, and missing values", () => {
    expect(who("points > 10")).toEqual(["rich"]);
    expect(who("not (points > 10)")).toEqual(["expiring", "poor", "unknown"]);
    expect(who("points <= 10")).toEqual(["expiring", "poor"]);
    expect(who("points between 10 and 5000")).toEqual(["poor", "rich"]);
  });

  test("points expiring within W: lots earned by as-of, expiring in (as-of, as-of + W]", () => {
    expect(who("points expiring within 30 days >= 500")).toEqual(["expiring"]);
    expect(who("points expiring within 30 days = 499")).toEqual(["rich"]);
    expect(who("points expiring within 30 days less than 100")).toEqual(["poor", "unknown"]);
  });
});

describe("joined", () => {
  test("within a window, and members who joined after as-of are in no audience", () => {
    addMembers(db, [
      { id: "edge", joined_at: AS_OF - 14 * DAY },
      { id: "new", joined_at: AS_OF - 14 * DAY + MS },
      { id: "now", joined_at: AS_OF },
      { id: "future", joined_at: AS_OF + MS },
      { id: "unknown", joined_at: null },
    ]);
    expect(who("joined within 14 days")).toEqual(["new", "now"]);
    expect(who("not joined within 14 days")).toEqual(["edge", "unknown"]);
    expect(who("points > 0 or not (points > 0)")).toEqual(["edge", "new", "now", "unknown"]);
    expect(who("not bought anything")).toEqual(["edge", "new", "now", "unknown"]);
  });

  test("joined_at against a date: days of the business zone", () => {
    addMembers(db, [
      { id: "before", joined_at: at("2026-05-31T23:59:59.999") },
      { id: "start", joined_at: at("2026-06-01T00:00") },
      { id: "end", joined_at: at("2026-06-01T23:59:59.999") },
      { id: "next", joined_at: at("2026-06-02T00:00") },
      { id: "unknown" },
    ]);
    expect(who("joined_at = 2026-06-01")).toEqual(["end", "start"]);
    expect(who("joined_at != 2026-06-01")).toEqual(["before", "next"]);
    expect(who("joined_at >= 2026-06-01")).toEqual(["end", "next", "start"]);
    expect(who("joined_at > 2026-06-01")).toEqual(["next"]);
    expect(who("joined_at < 2026-06-01")).toEqual(["before"]);
    expect(who("joined_at <= 2026-06-01")).toEqual(["before", "end", "start"]);
    expect(who("joined_at between 2026-06-01 and 2026-06-02")).toEqual(["end", "next", "start"]);
    expect(who("joined_at in (2026-05-31, 2026-06-02)")).toEqual(["before", "next"]);
    expect(who("joined_at not in (2026-05-31, 2026-06-02)")).toEqual(["end", "start"]);
  });
});

describe("birthday within", () => {
  test("across the year end", () => {
    addMembers(db, [
      { id: "dec27", birthday: "1990-12-27" },
      { id: "dec28", birthday: "1990-12-28" },
      { id: "jan03", birthday: "1985-01-03" },
      { id: "jan04", birthday: "1985-01-04" },
      { id: "none" },
    ]);
    const asOf = at("2026-12-28T10:00");
    // 7 local days from today: 28, 29, 30, 31 December, 1, 2, 3 January
    expect(who("birthday within 7 days", asOf)).toEqual(["dec28", "jan03"]);
    expect(who("birthday within 1 week", asOf)).toEqual(["dec28", "jan03"]);
    expect(who("birthday within 1 day", asOf)).toEqual(["dec28"]);
    expect(who("birthday within 25 hours", asOf)).toEqual(["dec28"]); // rounds up to 2 days: 28, 29
    expect(who("not birthday within 7 days", asOf)).toEqual(["dec27", "jan04", "none"]);
  });

  test("29 February is celebrated on 28 February in other years", () => {
    addMembers(db, [
      { id: "feb28", birthday: "1990-02-28" },
      { id: "feb29", birthday: "2000-02-29" },
      { id: "mar01", birthday: "1990-03-01" },
    ]);
    // 2027 is not a leap year: 27, 28 February → 29 February birthdays count on the 28th
    expect(who("birthday within 2 days", at("2027-02-27T10:00"))).toEqual(["feb28", "feb29"]);
    expect(who("birthday within 1 day", at("2027-03-01T10:00"))).toEqual(["mar01"]);
    // 2028 is: 27, 28 February — the 29th is a day of its own
    expect(who("birthday within 2 days", at("2028-02-27T10:00"))).toEqual(["feb28"]);
    expect(who("birthday within 3 days", at("2028-02-27T10:00"))).toEqual(["feb28", "feb29"]);
  });

  test("months: the calendar length from today", () => {
    addMembers(db, [
      { id: "feb27", birthday: "1990-02-27" },
      { id: "feb28", birthday: "1990-02-28" },
    ]);
    // 31 January 2026 + 1 month = 28 February: 28 days, 31 January … 27 February
    expect(who("birthday within 1 month", at("2026-01-31T10:00"))).toEqual(["feb27"]);
  });
});

describe("age", () => {
  test("whole years on the birthday boundary, between inclusive, missing birthday false", () => {
    addMembers(db, [
      { id: "turns25today", birthday: "2001-06-15" },
      { id: "turns25tomorrow", birthday: "2001-06-16" },
      { id: "35", birthday: "1990-06-16" },
      { id: "36today", birthday: "1990-06-15" },
      { id: "none" },
    ]);
    expect(who("age between 25 and 35")).toEqual(["35", "turns25today"]);
    expect(who("age >= 25")).toEqual(["35", "36today", "turns25today"]);
    expect(who("age = 24")).toEqual(["turns25tomorrow"]);
    expect(who("age < 25")).toEqual(["turns25tomorrow"]);
    expect(who("age <= 35")).toEqual(["35", "turns25today", "turns25tomorrow"]);
    expect(who("age > 35")).toEqual(["36today"]);
    expect(who("age in (24, 36)")).toEqual(["36today", "turns25tomorrow"]);
    expect(who("age != 25")).toEqual(["35", "36today", "turns25tomorrow"]);
    expect(who("age > 24.5")).toEqual(["35", "36today", "turns25today"]);
    expect(who("age = 24.5")).toEqual([]);
    expect(who("not (age > 30)")).toEqual(["none", "turns25today", "turns25tomorrow"]);
  });

  test("a 29 February birthday turns a year older on 28 February in other years", () => {
    addMembers(db, [{ id: "leap", birthday: "2000-02-29" }]);
    expect(who("age >= 26", at("2026-02-27T12:00"))).toEqual([]);
    expect(who("age >= 26", at("2026-02-28T12:00"))).toEqual(["leap"]);
  });
});

describe("the member's local date, across the date line", () => {
  // 10:00 UTC on 15 June 2026: 16 June 00:00 in Kiritimati (UTC+14), 15 June 18:00 in
  // Shanghai, 14 June 23:00 in Pago Pago (UTC−11).
  const asOf = Date.UTC(2026, 5, 15, 10, 0);

  beforeEach(() => {
    const zones = { kiri: "Pacific/Kiritimati", pago: "Pacific/Pago_Pago", sh: "Asia/Shanghai", none: null, bogus: "Not/AZone" };
    addMembers(
      db,
      Object.entries(zones).flatMap(([name, timezone]) => [
        { id: `${name}-0614`, birthday: "2001-06-14", timezone },
        { id: `${name}-0615`, birthday: "2001-06-15", timezone },
        { id: `${name}-0616`, birthday: "2001-06-16", timezone },
      ]),
    );
  });

  test("zones present in the data", () => {
    expect(distinctMemberZones(db)).toEqual(["Asia/Shanghai", "Not/AZone", "Pacific/Kiritimati", "Pacific/Pago_Pago"]);
  });

  test("birthday today differs by zone; no or invalid zone is the business zone", () => {
    expect(who("birthday within 1 day", asOf)).toEqual(["bogus-0615", "kiri-0616", "none-0615", "pago-0614", "sh-0615"]);
  });

  test("age differs by zone", () => {
    expect(who("age >= 25", asOf)).toEqual([
      "bogus-0614",
      "bogus-0615",
      "kiri-0614",
      "kiri-0615",
      "kiri-0616",
      "none-0614",
      "none-0615",
      "pago-0614",
      "sh-0614",
      "sh-0615",
    ]);
  });

  test("the query branches on the zones whose date differs from the business zone's", () => {
    const p = program("when birthday within 1 day, send message hello via sms");
    const q = compileAudience(campaignOf(p).rule.condition, {
      env: AUDIENCE_ENV,
      segments: p.segments,
      asOf,
      businessZone: BUSINESS_ZONE,
      zones: distinctMemberZones(db),
    });
    expect(q.sql).toContain(
      "CASE WHEN m.timezone IN (?) THEN m.birth_md IN (?) WHEN m.timezone IN (?) THEN m.birth_md IN (?) ELSE m.birth_md IN (?) END",
    );
    expect(q.params).toEqual(expect.arrayContaining(["Pacific/Kiritimati", "Pacific/Pago_Pago"]));
    expect(q.params).not.toContain("Not/AZone");
  });
});

describe("attributes", () => {
  beforeEach(() => {
    addMembers(db, [
      {
        id: "sh",
        city: "上海",
        gender: "female",
        consent_sms: 1,
        attributes: { vip_store: "SH01", lifetime_spend: 5000, app_user: true, last_visit: "2026-06-01" },
      },
      {
        id: "bj",
        city: "北京",
        gender: "male",
        consent_sms: 0,
        attributes: { vip_store: "101", lifetime_spend: 20.5, app_user: false, last_visit: "2025-12-31" },
      },
      { id: "nocity", city: null, gender: null, consent_sms: null, attributes: {} },
      { id: "wrongtype", city: "上海市", attributes: { vip_store: 101, lifetime_spend: "9999", app_user: "yes", last_visit: null } },
    ]);
  });

  test("text: exact and case-sensitive; a missing value is false for every operator", () => {
    expect(who(`city = "上海"`)).toEqual(["sh"]);
    expect(who(`city != "上海"`)).toEqual(["bj", "wrongtype"]);
    expect(who(`not (city = "上海")`)).toEqual(["bj", "nocity", "wrongtype"]);
    expect(who(`city in ("北京", "上海")`)).toEqual(["bj", "sh"]);
    expect(who(`city not in ("北京", "上海")`)).toEqual(["wrongtype"]);
    expect(who(`gender is female`)).toEqual(["sh"]);
    expect(who(`gender is not female`)).toEqual(["bj"]);
  });

  test("custom text, and a number literal compared as its text", () => {
    expect(who(`vip_store = "SH01"`)).toEqual(["sh"]);
    expect(who(`vip_store = 101`)).toEqual(["bj"]); // wrongtype's 101 is a JSON number: not text, so missing
    expect(who(`vip_store != "SH01"`)).toEqual(["bj"]);
    expect(who(`vip_store in (SH01, "101")`)).toEqual(["bj", "sh"]);
    expect(who(`not (vip_store = "SH01")`)).toEqual(["bj", "nocity", "wrongtype"]);
  });

  test("custom number", () => {
    expect(who(`lifetime_spend > 1000`)).toEqual(["sh"]);
    expect(who(`lifetime_spend between 20.5 and 5000`)).toEqual(["bj", "sh"]);
    expect(who(`not (lifetime_spend > 1000)`)).toEqual(["bj", "nocity", "wrongtype"]);
  });

  test("booleans, canonical and custom", () => {
    expect(who(`app_user is true`)).toEqual(["sh"]);
    expect(who(`app_user is false`)).toEqual(["bj"]);
    expect(who(`app_user is not true`)).toEqual(["bj"]);
    expect(who(`not (app_user is true)`)).toEqual(["bj", "nocity", "wrongtype"]);
    expect(who(`consent_sms is true`)).toEqual(["sh"]);
    expect(who(`consent_sms = false`)).toEqual(["bj"]);
    expect(who(`not (consent_sms is true)`)).toEqual(["bj", "nocity", "wrongtype"]);
  });

  test("custom dates compare as dates", () => {
    expect(who(`last_visit >= 2026-01-01`)).toEqual(["sh"]);
    expect(who(`last_visit < 2026-01-01`)).toEqual(["bj"]);
    expect(who(`last_visit = 2025-12-31`)).toEqual(["bj"]);
    expect(who(`last_visit between 2025-12-31 and 2026-06-01`)).toEqual(["bj", "sh"]);
    expect(who(`not (last_visit < 2026-01-01)`)).toEqual(["nocity", "sh", "wrongtype"]);
  });

  test("birthday compares as a date", () => {
    addMembers(db, [
      { id: "b1999", birthday: "1999-12-31" },
      { id: "b2000", birthday: "2000-01-01" },
    ]);
    expect(who(`birthday < 2000-01-01`)).toEqual(["b1999"]);
    expect(who(`birthday >= 2000-01-01`)).toEqual(["b2000"]);
  });
});

describe("tiers", () => {
  beforeEach(() => {
    addMembers(db, [
      { id: "silver", tier: "silver" },
      { id: "gold", tier: "Gold" },
      { id: "platinum", tier: "PLATINUM" },
      { id: "diamond", tier: "diamond" },
      { id: "bronze", tier: "bronze" }, // not in the configured list: missing
      { id: "none", tier: null },
    ]);
  });

  test("ordered by the configured list, case-insensitive on both sides", () => {
    expect(who("tier >= gold")).toEqual(["diamond", "gold", "platinum"]);
    expect(who("tier >= GOLD")).toEqual(["diamond", "gold", "platinum"]);
    expect(who("tier > gold")).toEqual(["diamond", "platinum"]);
    expect(who("tier < platinum")).toEqual(["gold", "silver"]);
    expect(who("tier <= silver")).toEqual(["silver"]);
    expect(who("tier = platinum")).toEqual(["platinum"]);
    expect(who("tier between gold and platinum")).toEqual(["gold", "platinum"]);
    expect(who("tier in (Gold, diamond)")).toEqual(["diamond", "gold"]);
  });

  test("capitals outside ASCII fold as JavaScript folds them", () => {
    const env = { ...AUDIENCE_ENV, tiers: ["silver", "Élite"] };
    addMembers(db, [
      { id: "upper", tier: "ÉLITE" },
      { id: "lower", tier: "élite" },
      { id: "as-configured", tier: "Élite" },
      { id: "plain-e", tier: "elite" }, // a different word
    ]);
    const p = program("when tier >= élite, send message hello via sms", "", env);
    const ids = selectAudience(db, campaignOf(p), { env, segments: p.segments, asOf: AS_OF }).memberIds;
    expect(ids).toEqual(["as-configured", "lower", "upper"]);
  });

  test("an unknown or missing tier is false for every operator", () => {
    expect(who("tier != gold")).toEqual(["diamond", "platinum", "silver"]);
    expect(who("tier not in (gold, diamond)")).toEqual(["platinum", "silver"]);
    expect(who("not (tier >= gold)")).toEqual(["bronze", "none", "silver"]);
    expect(who("tier > diamond")).toEqual([]);
  });
});

describe("referrals", () => {
  beforeEach(() => {
    addMembers(db, [
      { id: "a" },
      { id: "b" },
      { id: "c" },
      { id: "a-friend-10d", referred_by: "a", joined_at: AS_OF - 10 * DAY },
      { id: "a-friend-40d", referred_by: "a", joined_at: AS_OF - 40 * DAY },
      { id: "a-friend-future", referred_by: "a", joined_at: AS_OF + MS }, // not joined yet
      { id: "a-friend-unknown", referred_by: "a", joined_at: null }, // never counts
      { id: "b-friend-30d", referred_by: "b", joined_at: AS_OF - 30 * DAY }, // exactly 30 days: outside
      { id: "b-friend-29d", referred_by: "b", joined_at: AS_OF - 29 * DAY },
      { id: "b-friend-old", referred_by: "b", joined_at: AS_OF - 400 * DAY },
    ]);
  });

  test("with a window", () => {
    expect(who("referred at least 1 member within 30 days")).toEqual(["a", "b"]);
    expect(who("referred at least 2 members within 30 days")).toEqual([]);
    expect(who("referred at least 2 members within 41 days")).toEqual(["a", "b"]);
  });

  test("without a window: every friend who joined by as-of", () => {
    expect(who("referred at least 2 members")).toEqual(["a", "b"]);
    expect(who("referred exactly 3 members")).toEqual(["b"]);
    expect(who("referred at least 1 member")).toEqual(["a", "b"]);
  });

  test("a count that holds at zero includes members who referred nobody", () => {
    const everyoneElse = ["a-friend-10d", "a-friend-40d", "a-friend-unknown", "b-friend-29d", "b-friend-30d", "b-friend-old", "c"];
    expect(who("referred less than 1 member")).toEqual(everyoneElse);
    expect(who("referred at most 1 member within 30 days")).toEqual(["a", "b", ...everyoneElse].sort());
  });
});

describe("segments, and, or, not, parentheses", () => {
  const SEGMENTS = `segment vip = tier >= platinum
segment vip_shanghai = member in segment vip and city = "上海"
segment buyer = bought anything within 30 days
`;

  beforeEach(() => {
    addMembers(db, [
      { id: "vip-sh", tier: "platinum", city: "上海", points: 50 },
      { id: "vip-bj", tier: "diamond", city: "北京", points: 500 },
      { id: "gold-sh", tier: "gold", city: "上海", points: 500 },
      { id: "silver-buyer", tier: "silver", city: "北京", points: 5 },
    ]);
    addPurchases(db, [{ member: "silver-buyer", at: AS_OF - DAY }]);
  });

  test("segments, nested, compiled inline", () => {
    expect(who("member in segment vip", AS_OF, SEGMENTS)).toEqual(["vip-bj", "vip-sh"]);
    expect(who("in segment vip_shanghai", AS_OF, SEGMENTS)).toEqual(["vip-sh"]);
    expect(who("in segment vip_shanghai or in segment buyer", AS_OF, SEGMENTS)).toEqual(["silver-buyer", "vip-sh"]);
    expect(who("not in segment vip_shanghai and city = 上海", AS_OF, SEGMENTS)).toEqual(["gold-sh"]);
  });

  test("not > and > or, and parentheses", () => {
    expect(who(`tier >= gold and city = "上海" or points > 100`)).toEqual(["gold-sh", "vip-bj", "vip-sh"]);
    expect(who(`tier >= gold and (city = "上海" or points < 100)`)).toEqual(["gold-sh", "vip-sh"]);
    expect(who(`not tier >= gold and points < 100`)).toEqual(["silver-buyer"]);
    expect(who(`not (tier >= gold and points < 100)`)).toEqual(["gold-sh", "silver-buyer", "vip-bj"]);
    expect(who(`not (tier >= platinum or city = "北京")`)).toEqual(["gold-sh"]);
  });
});

describe("no campaign string reaches SQL text", () => {
  const EVIL = `'); DROP TABLE members; --`;
  const QUOTES = `O'Reilly "quoted" \`tick\` ]]`;

  test("brands, cities, custom values and segment names are parameters", () => {
    addMembers(db, [
      { id: "victim", city: EVIL, attributes: { vip_store: QUOTES } },
      { id: "other", city: "上海" },
    ]);
    addPurchases(db, [{ member: "victim", at: AS_OF - DAY, brand: EVIL, category: QUOTES, sku: EVIL }]);
    const quoted = (s: string): string => `"${s.replaceAll('"', '\\"')}"`;
    const condition = [
      `bought brand ${quoted(EVIL)} within 30 days`,
      `bought category ${quoted(QUOTES)}`,
      `spent on sku ${quoted(EVIL)} at least 1`,
      `last purchase of brand in (${quoted(EVIL)}, ${quoted(QUOTES)}) less than 2 days ago`,
      `city = ${quoted(EVIL)}`,
      `vip_store in (${quoted(QUOTES)}, ${quoted(EVIL)})`,
      `in segment ${quoted(EVIL)}`,
    ].join(" and ");
    const segments = `segment ${quoted(EVIL)} = city != ${quoted(QUOTES)}\n`;
    const p = program(`when ${condition}, send message hello via sms`, segments);
    const campaign = campaignOf(p);
    const q = compileAudience(campaign.rule.condition, {
      env: AUDIENCE_ENV,
      segments: p.segments,
      asOf: AS_OF,
      businessZone: BUSINESS_ZONE,
      zones: [],
    });
    for (const s of [EVIL, QUOTES, "DROP", "O'Reilly", "'); ", "--"]) expect(q.sql).not.toContain(s);
    // The only quoted text in the SQL is the compiler's own: JSON type names.
    expect(new Set(q.sql.match(/'[^']*'/g))).toEqual(new Set(["'null'", "'text'"]));
    expect(q.params).toEqual(expect.arrayContaining([EVIL, QUOTES]));
    expect(selectAudience(db, campaign, { env: AUDIENCE_ENV, segments: p.segments, asOf: AS_OF }).memberIds).toEqual(["victim"]);
    expect(db.prepare("SELECT count(*) FROM members").pluck().get()).toBe(2);
  });
});

describe("two-valued logic", () => {
  const CONDITIONS = [
    "tier >= gold",
    "tier != gold",
    "points > 10",
    "city = 上海",
    "city != 上海",
    "city not in (北京)",
    "gender is not male",
    "age between 20 and 30",
    "age != 25",
    "birthday within 7 days",
    "birthday < 2000-01-01",
    "joined_at >= 2026-01-01",
    "joined_at != 2026-01-01",
    "joined within 30 days",
    "consent_sms is true",
    "consent_sms is not false",
    "vip_store = SH01",
    "vip_store != SH01",
    "lifetime_spend < 100",
    "app_user is false",
    "last_visit > 2026-01-01",
    "bought anything",
    "bought brand B at least 2 times within 30 days",
    "bought at most 1 time",
    "spent less than 100",
    "spent on brand B at least 10 within 30 days",
    "last purchase more than 10 days ago",
    "last purchase exactly 1 day ago",
    "points expiring within 30 days >= 10",
    "points expiring within 1 year < 10",
    "referred at least 1 member",
    "referred at most 1 member within 30 days",
    "id = a",
    "referred_by = a",
    'timezone = "Asia/Shanghai"',
  ];

  beforeEach(() => {
    addMembers(db, [
      { id: "empty" },
      {
        id: "nulls",
        tier: "bronze",
        timezone: "Not/AZone",
        attributes: { vip_store: null, lifetime_spend: "x", app_user: 1, last_visit: 5 },
      },
      {
        id: "full",
        tier: "gold",
        points: 5,
        city: "上海",
        gender: "female",
        birthday: "2001-06-20",
        joined_at: AS_OF - DAY,
        timezone: "Pacific/Kiritimati",
        consent_sms: 1,
        referred_by: "empty",
        attributes: { vip_store: "SH01", lifetime_spend: 50, app_user: false, last_visit: "2026-02-01" },
      },
    ]);
    addPurchases(db, [{ member: "full", at: AS_OF - DAY, brand: "B", amount: 20 }]);
    addLots(db, [{ member: "full", points: 20, earned: AS_OF - DAY, expires: AS_OF + DAY }]);
  });

  test.each(CONDITIONS)("%s is 0 or 1 for every member, never NULL", (condition) => {
    const p = program(`when ${condition}, send message hello via sms`);
    for (const strategy of ["set", "probe"] as const) {
      const q = compileCondition(campaignOf(p).rule.condition, {
        env: AUDIENCE_ENV,
        segments: p.segments,
        asOf: AS_OF,
        businessZone: BUSINESS_ZONE,
        zones: distinctMemberZones(db),
        strategy,
      });
      const values = db
        .prepare(`SELECT ${q.sql} FROM members AS m ORDER BY m.id`)
        .pluck()
        .all(...q.params);
      for (const v of values) expect([0, 1]).toContain(v);
    }
    const everyone = ["empty", "full", "nulls"];
    const yes = who(condition);
    const no = who(`not (${condition})`);
    expect([...yes, ...no].sort()).toEqual(everyone);
  });
});

describe("results", () => {
  test("ids are strings in ascending order; the iterator streams the same ids", () => {
    addMembers(
      db,
      ["m10", "m2", "m1", "10", "9", "会员"].map((id) => ({ id, points: 100 })),
    );
    const p = program("when points > 10, send message hello via sms");
    const options = { env: AUDIENCE_ENV, segments: p.segments, asOf: AS_OF };
    const result = selectAudience(db, campaignOf(p), options);
    expect(result).toEqual({ campaign: "test", asOf: AS_OF, count: 6, memberIds: ["10", "9", "m1", "m10", "m2", "会员"] });
    expect([...iterateAudience(db, campaignOf(p), options)]).toEqual(result.memberIds);
  });
});

describe("errors the checker should have caught", () => {
  test("a segment that uses itself is an error, not a hang", () => {
    const files = [
      parse(new SourceFile("cycle.segments", "segment a = points > 1 and in segment b\nsegment b = in segment a or points < 0\n")),
    ];
    const { segments } = check({ files, env: AUDIENCE_ENV });
    const a = segments.get("a");
    if (!a) throw new Error("segment a not parsed");
    expect(() =>
      compileAudience(a.node.condition, { env: AUDIENCE_ENV, segments, asOf: AS_OF, businessZone: BUSINESS_ZONE, zones: [] }),
    ).toThrow(AudienceCompileError);
  });
});
