import fc from "fast-check";
import { DateTime } from "luxon";
import type { TimeUnit } from "@patron/dsl";
import { shift } from "../../src/time/windows.js";
import type { MemberInput, PointLotInput, PurchaseInput } from "./store.js";

/*
 * Random campaigns and member data for property tests (the differential test of the SQL
 * compiler against the json-rules-engine evaluator). Data is drawn towards the edges where two
 * evaluators most easily part: instants exactly on window boundaries (and one millisecond either
 * side), data stamped after as-of, missing values of every kind, members with no purchases,
 * returns, member time zones on both sides of the date line (Pacific/Kiritimati +14,
 * Pacific/Pago_Pago −11) and invalid ones, 29 February birthdays, as-of at the turn of a year.
 * Campaigns are generated as text and go through the real parser and checker.
 */

export const ZONES = ["Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "UTC"] as const;
/** Member zones: the business zones, plus ones that are not valid and must fall back. */
const MEMBER_ZONES = [...ZONES, "Europe/London", "UTC+14", "utc", "Mars/Olympus_Mons", "", null] as const;

const AMOUNTS = [0, 1, 2, 7, 30, 90] as const;
const UNITS: readonly TimeUnit[] = ["hour", "day", "week", "month", "year"];
const DAY = 86_400_000;

const BRANDS = ["Pantene", "Head & Shoulders", "Olay", "自然堂", "pantene"] as const;
const CATEGORIES = ["shampoo", "skincare"] as const;
const SKUS = ["S1", "S2", "S-3"] as const;
export const SEGMENT_NAMES = ["seg_a", "常客"] as const;

// ---------------------------------------------------------------- campaigns

/** A condition as text, and whether it needs parentheses inside `and`/`or`/`not`. */
interface Cond {
  readonly text: string;
  readonly compound: boolean;
}

const quoted = (name: string): string => (/^[\p{L}\p{N}_]+$/u.test(name) ? name : JSON.stringify(name));
const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? "" : "s"}`;

const windowText = fc
  .record({ amount: fc.constantFrom(...AMOUNTS), unit: fc.constantFrom(...UNITS) })
  .map(({ amount, unit }) => `within ${plural(amount, unit)}`);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

const itemText = fc.oneof(
  fc.constant("anything"),
  fc.constantFrom(...BRANDS).map((b) => `brand ${quoted(b)}`),
  fc.constantFrom(...CATEGORIES).map((c) => `category ${c}`),
  fc.constantFrom(...SKUS).map((s) => `sku ${quoted(s)}`),
  fc.subarray([...BRANDS], { minLength: 2, maxLength: 3 }).map((bs) => `brand in (${bs.map(quoted).join(", ")})`),
);
const quantifier = fc.constantFrom("at least", "at most", "more than", "less than", "exactly");
const quantityOp = fc.oneof(quantifier, fc.constantFrom(">=", "<=", ">", "<", "=", "!="));
const count = fc.record({ op: quantityOp, n: fc.integer({ min: 0, max: 3 }) });
const money = fc.record({ op: quantityOp, n: fc.constantFrom(0, 50, 100, 150, 200, 500) });

const join = (...parts: (string | undefined)[]): string => parts.filter((p) => p !== undefined && p !== "").join(" ");

const bought = fc
  .record({ item: maybe(itemText), count: maybe(count), window: maybe(windowText) })
  .map(({ item, count: c, window }) => join("bought", item, c && `${c.op} ${c.n} ${c.n === 1 ? "time" : "times"}`, window));
const spent = fc
  .record({ item: maybe(itemText), amount: money, window: maybe(windowText) })
  .map(({ item, amount, window }) => join("spent", item && `on ${item}`, `${amount.op} ${amount.n}`, window));
const lastPurchase = fc
  .record({ item: maybe(itemText), op: quantifier, n: fc.constantFrom(...AMOUNTS), unit: fc.constantFrom(...UNITS) })
  .map(({ item, op, n, unit }) => join("last purchase", item && `of ${item}`, op, plural(n, unit), "ago"));
const pointsExpiring = fc
  .record({ window: windowText, op: quantityOp, n: fc.constantFrom(0, 100, 250, 500) })
  .map(({ window, op, n }) => `points expiring ${window} ${op} ${n}`);
const joined = windowText.map((w) => `joined ${w}`);
const birthday = windowText.map((w) => `birthday ${w}`);
const referred = fc
  .record({ c: count, window: maybe(windowText) })
  .map(({ c, window }) => join("referred", `${c.op} ${c.n}`, c.n === 1 ? "member" : "members", window));

const tierName = fc.constantFrom("silver", "gold", "Gold", "PLATINUM", "diamond");
const dateAround = (base: string): fc.Arbitrary<string> =>
  fc.integer({ min: -3, max: 3 }).map((d) => DateTime.fromISO(base, { zone: "UTC" }).plus({ days: d }).toISODate() ?? base);

/** `FIELD op VALUE` for every field type; `today` is the as-of date in the business zone. */
function comparison(today: string): fc.Arbitrary<string> {
  const ordered = fc.constantFrom(">=", "<=", ">", "<", "=", "!=");
  const equality = fc.constantFrom("=", "!=", "is", "is not");
  const ofType = <T>(values: fc.Arbitrary<T>, show: (v: T) => string, orderedField: boolean): fc.Arbitrary<string> =>
    fc.oneof(
      fc.record({ op: orderedField ? fc.oneof(ordered, equality) : equality, v: values }).map(({ op, v }) => `${op} ${show(v)}`),
      fc
        .record({ not: fc.boolean(), vs: fc.array(values, { minLength: 1, maxLength: 3 }) })
        .map(({ not, vs }) => `${not ? "not in" : "in"} (${vs.map(show).join(", ")})`),
      ...(orderedField ? [fc.tuple(values, values).map(([a, b]) => `between ${show(a)} and ${show(b)}`)] : []),
    );
  const text = (values: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...values);
  return fc.oneof(
    ofType(tierName, (t) => t, true).map((t) => `tier ${t}`),
    ofType(fc.constantFrom(0, 10, 10.5, 1000), String, true).map((t) => `points ${t}`),
    ofType(fc.constantFrom(0, 500, 1234.5), String, true).map((t) => `lifetime_spend ${t}`),
    ofType(fc.integer({ min: 0, max: 40 }), String, true).map((t) => `age ${t}`),
    ofType(text(["上海", "北京"]), (v) => `"${v}"`, false).map((t) => `city ${t}`),
    ofType(text(["female", "male"]), (v) => v, false).map((t) => `gender ${t}`),
    ofType(text(["dry", "oily"]), (v) => v, false).map((t) => `skin_type ${t}`),
    ofType(
      fc.oneof(
        text(["S01", "s01"]).map((v) => `"${v}"`),
        fc.constant("101"),
      ),
      (v) => v,
      false,
    ).map((t) => `vip_store ${t}`),
    ofType(fc.oneof(dateAround(today), fc.constantFrom("2000-02-29", "1996-03-01")), (v) => v, true).map((t) => `birthday ${t}`),
    ofType(dateAround(today), (v) => v, true).map((t) => `first_visit ${t}`),
    ofType(dateAround(today), (v) => v, true).map((t) => `joined_at ${t}`),
    fc
      .record({ field: fc.constantFrom("consent_sms", "app_user"), op: fc.constantFrom("is", "is not", "=", "!="), v: fc.boolean() })
      .map(({ field, op, v }) => `${field} ${op} ${v}`),
  );
}

function atom(today: string, segments: boolean): fc.Arbitrary<Cond> {
  // Comparisons cover a dozen fields, so they get as much weight as the other kinds together.
  const kinds: fc.WeightedArbitrary<string>[] = [bought, spent, lastPurchase, pointsExpiring, joined, birthday, referred].map(
    (arbitrary) => ({
      arbitrary,
      weight: 1,
    }),
  );
  kinds.push({ arbitrary: comparison(today), weight: 7 });
  if (segments) kinds.push({ arbitrary: fc.constantFrom(...SEGMENT_NAMES).map((s) => `member in segment ${s}`), weight: 1 });
  return fc.oneof(...kinds).map((text) => ({ text, compound: false }));
}

const wrap = (c: Cond): string => (c.compound ? `(${c.text})` : c.text);

/** A condition of `depth` levels of and/or/not at most, built from every kind of atom. */
export function condition(today: string, depth: number, segments = true): fc.Arbitrary<Cond> {
  const leaf = atom(today, segments);
  if (depth <= 0) return leaf;
  const sub = condition(today, depth - 1, segments);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((cs) => ({ text: cs.map(wrap).join(" and "), compound: true })),
    },
    {
      weight: 2,
      arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((cs) => ({ text: cs.map(wrap).join(" or "), compound: true })),
    },
    { weight: 1, arbitrary: sub.map((c) => ({ text: `not ${wrap(c)}`, compound: true })) },
  );
}

/** A segments file: the first segment from plain atoms, the second using the first. */
export function segmentsFile(today: string): fc.Arbitrary<string> {
  const [a, b] = SEGMENT_NAMES;
  return fc
    .record({ first: condition(today, 1, false), second: atom(today, false), how: fc.constantFrom("and", "or") })
    .map(({ first, second, how }) => `segment ${a} = ${first.text}\nsegment ${b} = member in segment ${a} ${how} ${wrap(second)}\n`);
}

/** A one-line campaign file around a condition. */
export function campaignText(condition: string): string {
  return `when ${condition}, send message "welcome" via sms\n`;
}

// ---------------------------------------------------------------- as-of and instants

/** As-of instants in a zone: turns of the year, 29 February, 31 March (month clamping), and anywhere. */
export function asOfIn(zone: string): fc.Arbitrary<number> {
  const local = (iso: string): number => DateTime.fromISO(iso, { zone }).toMillis();
  return fc.oneof(
    fc.constantFrom(
      local("2026-12-31T23:59:59.999"),
      local("2027-01-01T00:00:00"),
      local("2028-02-29T12:00:00"),
      local("2027-03-31T10:00:00"),
      Date.UTC(2026, 11, 31, 12, 0, 0),
    ),
    fc.integer({ min: 0, max: 730 * DAY }).map((d) => Date.UTC(2026, 0, 1) + d),
  );
}

/**
 * The run's instant and zone, and the instants where the campaigns under test change their
 * minds: every window boundary their words imply (as-of ∓ N units, and as-of − (N+1) units for
 * `exactly N … ago`), and the start of every date they name, in the business zone. Member data
 * is drawn onto these instants (and one millisecond either side) far more often than chance
 * would put it there.
 */
export interface Timeline {
  readonly asOf: number;
  readonly zone: string;
  readonly past: readonly number[];
  readonly future: readonly number[];
  readonly midnights: readonly number[];
}

/** The edges of campaign (and segment) texts, as a Timeline. */
export function timeline(asOf: number, zone: string, texts: readonly string[]): Timeline {
  const past = new Set<number>();
  const future = new Set<number>();
  const midnights = new Set<number>();
  for (const text of texts) {
    for (const m of text.matchAll(/(\d+) (hour|day|week|month|year)s?\b/g)) {
      const amount = Number(m[1]);
      const unit = m[2] as TimeUnit;
      past.add(shift(asOf, amount, unit, -1, zone));
      past.add(shift(asOf, amount + 1, unit, -1, zone));
      future.add(shift(asOf, amount, unit, 1, zone));
    }
    for (const m of text.matchAll(/\d{4}-\d{2}-\d{2}/g)) {
      const day = DateTime.fromISO(m[0], { zone });
      if (!day.isValid) continue;
      midnights.add(day.toMillis());
      midnights.add(day.plus({ days: 1 }).toMillis());
    }
  }
  return { asOf, zone, past: [...past], future: [...future], midnights: [...midnights] };
}

/**
 * An instant near as-of, in the past (`direction` −1) or the future (+1): on an edge of the
 * campaigns or of the usual windows, or one millisecond either side; as-of itself or just after;
 * or anywhere in a year and a half.
 */
export function instantNear(t: Timeline, direction: 1 | -1, extra: readonly number[] = []): fc.Arbitrary<number> {
  const delta = fc.constantFrom(-1, 0, 1);
  const edges = [...(direction === -1 ? t.past : t.future), ...extra];
  return fc.oneof(
    ...(edges.length > 0 ? [{ weight: 4, arbitrary: fc.tuple(fc.constantFrom(...edges), delta).map(([e, d]) => e + d) }] : []),
    {
      weight: 1,
      arbitrary: fc
        .record({ amount: fc.constantFrom(...AMOUNTS), unit: fc.constantFrom(...UNITS), d: delta })
        .map(({ amount, unit, d }) => shift(t.asOf, amount, unit, direction, t.zone) + d),
    },
    { weight: 1, arbitrary: delta.map((d) => t.asOf + d) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 540 * DAY }).map((d) => t.asOf + direction * d) },
  );
}

// ---------------------------------------------------------------- member data

export interface MemberDataSet {
  readonly members: readonly MemberInput[];
  readonly purchases: readonly PurchaseInput[];
  readonly lots: readonly PointLotInput[];
}

/** Birthdays near the as-of date in every zone, 29 Februaries, year turns, or none. */
function birthdayNear(asOf: number): fc.Arbitrary<string | null> {
  return fc.oneof(
    fc
      .record({
        zone: fc.constantFrom(...ZONES),
        days: fc.integer({ min: -2, max: 9 }),
        year: fc.constantFrom(1990, 1996, 2000, 2004, 2011),
      })
      .map(({ zone, days, year }) => {
        const d = DateTime.fromMillis(asOf, { zone }).plus({ days });
        const born = DateTime.fromObject({ year, month: d.month, day: d.day }, { zone: "UTC" });
        return (born.isValid ? born : DateTime.fromObject({ year: 2000, month: d.month, day: d.day }, { zone: "UTC" })).toISODate();
      }),
    fc.constantFrom("2000-02-29", "1992-02-29", "1999-02-28", "2001-03-01", "1990-12-31", "1991-01-01", "2010-06-15"),
    fc.constant(null),
  );
}

type Unowned<T> = Omit<T, "id" | "member_id" | "order_id">;

/** Member ids M01…M16: a member may be referred by any of them, whether or not that member exists. */
const MEMBER_IDS = Array.from({ length: 16 }, (_, i) => `M${String(i + 1).padStart(2, "0")}`);

function member(t: Timeline): fc.Arbitrary<Unowned<MemberInput>> {
  const { asOf, zone } = t;
  const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null, freq: 4 });
  const absent = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
  const today = DateTime.fromMillis(asOf, { zone }).toISODate() ?? "2026-01-01";
  return fc
    .record({
      tier: nullable(fc.constantFrom("silver", "Gold", "gold", "PLATINUM", "diamond", "bronze")),
      points: nullable(fc.constantFrom(0, 10, 10.5, 1000, -5)),
      city: nullable(fc.constantFrom("上海", "北京", "Shanghai")),
      gender: nullable(fc.constantFrom("female", "male", "other", "Female")),
      birthday: birthdayNear(asOf),
      joined_at: nullable(instantNear(t, -1, t.midnights)),
      timezone: fc.constantFrom(...MEMBER_ZONES),
      consent_sms: nullable(fc.boolean()),
      referred_by: nullable(fc.constantFrom(...MEMBER_IDS)),
      vip_store: absent(fc.constantFrom<string | null>("S01", "s01", "101", null)),
      skin_type: absent(fc.constantFrom("dry", "oily", "sensitive")),
      lifetime_spend: absent(fc.constantFrom<number | null>(0, 500, 1234.5, null)),
      app_user: absent(fc.boolean()),
      first_visit: absent(dateAround(today)),
    })
    .map(({ vip_store, skin_type, lifetime_spend, app_user, first_visit, ...rest }) => {
      const attributes: Record<string, string | number | boolean | null> = {};
      if (vip_store !== undefined) attributes["vip_store"] = vip_store;
      if (skin_type !== undefined) attributes["skin_type"] = skin_type;
      if (lifetime_spend !== undefined) attributes["lifetime_spend"] = lifetime_spend;
      if (app_user !== undefined) attributes["app_user"] = app_user;
      if (first_visit !== undefined) attributes["first_visit"] = first_visit;
      return { ...rest, attributes };
    });
}

/** One order (one or two lines), or a return (negative quantity and amount). */
function order(t: Timeline): fc.Arbitrary<Unowned<PurchaseInput>[]> {
  return fc
    .record({
      at: instantNear(t, -1),
      isReturn: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
      lines: fc.uniqueArray(
        fc.record({
          sku: fc.constantFrom(...SKUS),
          brand: fc.option(fc.constantFrom(...BRANDS), { nil: null, freq: 6 }),
          category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null, freq: 6 }),
          amount: fc.constantFrom(25, 50, 99.5, 100, 150.25),
          quantity: fc.constantFrom(1, 2, 0),
        }),
        { minLength: 1, maxLength: 2, selector: (line) => line.sku },
      ),
    })
    .map(({ at, isReturn, lines }) =>
      lines.map((line) => ({
        sku: line.sku,
        purchased_at: at,
        brand: line.brand,
        category: line.category,
        quantity: isReturn ? -Math.max(1, line.quantity) : line.quantity,
        amount: isReturn ? -line.amount : line.amount,
      })),
    );
}

function pointLot(t: Timeline): fc.Arbitrary<Unowned<PointLotInput>> {
  return fc.record({
    points: fc.constantFrom(50, 100, 250, 500),
    earned_at: fc.oneof(instantNear(t, -1), fc.constant(t.asOf + 1)),
    expires_at: fc.option(fc.oneof(instantNear(t, 1), instantNear(t, -1)), { nil: null, freq: 5 }),
  });
}

/** Members M01…, some with no purchases, lots or referrals at all. Shrinks towards fewer members. */
export function memberDataSet(t: Timeline, maxMembers = MEMBER_IDS.length): fc.Arbitrary<MemberDataSet> {
  const row = fc.record({
    member: member(t),
    orders: fc.array(order(t), { maxLength: 4 }),
    lots: fc.array(pointLot(t), { maxLength: 3 }),
  });
  return fc.array(row, { minLength: 1, maxLength: Math.min(maxMembers, MEMBER_IDS.length) }).map((rows) => {
    const id = (i: number): string => MEMBER_IDS[i] ?? `M${i + 1}`;
    return {
      members: rows.map((r, i) => ({ id: id(i), ...r.member })),
      purchases: rows.flatMap((r, i) =>
        r.orders.flatMap((lines, j) => lines.map((line) => ({ member_id: id(i), order_id: `${id(i)}-O${j}`, ...line }))),
      ),
      lots: dedupeLots(rows.flatMap((r, i) => r.lots.map((lot) => ({ member_id: id(i), ...lot })))),
    };
  });
}

/** point_lots is unique on (member, earned, expires, points, source). */
function dedupeLots(lots: readonly PointLotInput[]): PointLotInput[] {
  const seen = new Set<string>();
  return lots.filter((l) => {
    const key = JSON.stringify([l.member_id, l.earned_at, l.expires_at, l.points]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
