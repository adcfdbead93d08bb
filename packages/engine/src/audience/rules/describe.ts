import { DateTime } from "luxon";
import type { AgeSeen, BirthdaySeen, ExpiringSeen, FieldSeen, LastPurchaseSeen, OrdersSeen, ReferralsSeen, SpendSeen } from "./facts.js";
import { birthdayWindowDays } from "./operators.js";
import type { BirthdaySpec, FieldValueSpec, ItemSpec, LastPurchaseSpec, Operand, QuantitySpec, WindowSpec } from "./specs.js";
import { OP_SYMBOL, instantText, itemText, missingText, nameText, numberText, plural, quantityText, windowText } from "./words.js";

/*
 * What each condition saw, in plain words, from its observation fact: the sentences `explain`
 * prints under each condition. One describer per atom, made when the rule is compiled (it knows
 * the windows and tests); it only reads the observation, never decides: true or false comes from
 * the operator's result in the engine's run.
 */

export type Describer = (seen: unknown) => string;

/** `bought ITEM [Q times] [within W]`. */
export function describeOrders(item: ItemSpec, window: WindowSpec, count: QuantitySpec | undefined, zone: string): Describer {
  return (seen) => {
    const { orders, latest } = seen as OrdersSeen;
    const what = `of ${itemText(item)} ${windowText(window, zone)}`;
    const saw = orders === 0 ? `no orders ${what}` : `${plural(orders, "order")} ${what}, latest ${instantText(latest ?? 0, zone)}`;
    return count ? `${saw} (needs ${quantityText(count)})` : saw;
  };
}

/** `spent [on ITEM] Q [within W]`. */
export function describeSpend(item: ItemSpec, window: WindowSpec, amount: QuantitySpec, zone: string): Describer {
  return (seen) => {
    const s = seen as SpendSeen;
    const on = item.by === "anything" ? "" : ` on ${itemText(item)}`;
    const needs = `(needs ${quantityText(amount)})`;
    if (s.rows === 0) return `no purchases${on} ${windowText(window, zone)}, so spent 0 ${needs}`;
    const net = s.returns > 0 ? `, net of ${plural(s.returns, "return")}` : "";
    return `spent ${numberText(s.amount)}${on} ${windowText(window, zone)}${net} ${needs}`;
  };
}

/** `last purchase [of ITEM] Q N UNITS ago`. */
export function describeLastPurchase(item: ItemSpec, spec: LastPurchaseSpec, asOf: number, zone: string): Describer {
  const of = item.by === "anything" ? "" : ` of ${itemText(item)}`;
  const b = instantText(spec.bound, zone);
  const needs: Record<LastPurchaseSpec["op"], string> = {
    ">": `before ${b}`,
    ">=": `at or before ${b}`,
    "<": `after ${b}`,
    "<=": `at or after ${b}`,
    "=": `after ${instantText(spec.boundBefore, zone)} and at or before ${b}`,
    "!=": `not after ${instantText(spec.boundBefore, zone)} and at or before ${b}`,
  };
  return (seen) => {
    const { at } = seen as LastPurchaseSeen;
    if (at === null) return `no purchase${of} up to the as-of time: with no last purchase the condition is false`;
    const days = Math.floor((asOf - at) / 86_400_000);
    return `last purchase${of} at ${instantText(at, zone)}, ${plural(days, "day")} before the as-of time (needs ${needs[spec.op]})`;
  };
}

/** `points expiring within W Q`. */
export function describeExpiring(window: WindowSpec, amount: QuantitySpec, zone: string): Describer {
  return (seen) => {
    const s = seen as ExpiringSeen;
    const where = windowText(window, zone);
    const saw =
      s.lots === 0
        ? `no points expire ${where}`
        : `${plural(s.points, "point")} in ${plural(s.lots, "lot")} expire ${where}, soonest ${instantText(s.soonest ?? 0, zone)}`;
    return `${saw} (needs ${quantityText(amount)})`;
  };
}

/** `referred Q members [within W]`. */
export function describeReferred(window: WindowSpec, count: QuantitySpec, zone: string): Describer {
  return (seen) => {
    const s = seen as ReferralsSeen;
    const when = window.after === null ? "by the as-of time" : windowText(window, zone);
    return `referred ${plural(s.members, "member")} who joined ${when} (needs ${quantityText(count)})`;
  };
}

/** `joined within W`. */
export function describeJoined(window: WindowSpec, zone: string): Describer {
  return (seen) => {
    const at = seen as FieldSeen;
    if (typeof at !== "number") return missingText("joined_at");
    const where = window.after !== null && at <= window.after ? "before the window" : "in the window";
    return `joined ${instantText(at, zone)}, ${where} (${instantText(window.after ?? 0, zone)} … ${instantText(window.upTo, zone)})`;
  };
}

/** The member exists at as-of. */
export function describeExists(asOf: number, zone: string): Describer {
  return (seen) => {
    const at = seen as FieldSeen;
    if (typeof at !== "number") return "no joined_at value: the member counts as existing";
    if (at <= asOf) return `joined ${instantText(at, zone)}, before the as-of time`;
    return `joined ${instantText(at, zone)}, after the as-of time ${instantText(asOf, zone)}: a member who joins later is in no audience yet`;
  };
}

/** `birthday within W`. */
export function describeBirthday(spec: BirthdaySpec): Describer {
  return (seen) => {
    const s = seen as BirthdaySeen;
    if (s.birthday === null) return missingText("birthday");
    const days = birthdayWindowDays(s.today, spec.amount, spec.unit);
    const next = nextBirthday(s.birthday, s.today);
    const away = next === s.today ? "today" : `in ${plural(daysBetween(s.today, next), "day")}`;
    const last =
      DateTime.fromISO(s.today, { zone: "UTC" })
        .plus({ days: Math.max(0, days - 1) })
        .toISODate() ?? "";
    return `birthday ${s.birthday}: next on ${next}, ${away} (today is ${s.today} in ${s.zone}; needs a birthday from ${s.today} to ${last})`;
  };
}

/** `age …`: the age, and the birthday and local date it comes from. */
export function describeAge(spec: FieldValueSpec): Describer {
  return (seen) => {
    const s = seen as AgeSeen;
    if (s.age === null) return missingText("birthday") + " (age comes from the birthday)";
    return `age is ${s.age} (birthday ${s.birthday ?? ""}, today ${s.today} in ${s.zone}) (needs ${testText(spec, (o) => String(o))})`;
  };
}

/** `FIELD op VALUE`. */
export function describeField(field: string, spec: FieldValueSpec, tiers: readonly string[], zone: string): Describer {
  const show = (o: Operand): string => operandText(o, spec, tiers, zone);
  return (seen) => {
    const value = seen as FieldSeen;
    if (value === null) return missingText(field);
    if (spec.fieldKind === "tier" && typeof value === "string" && !tiers.some((t) => t.toLowerCase() === value.toLowerCase())) {
      return `${field} is ${nameText(value)}, which is not a configured tier (${tiers.join(", ")}): treated as missing, so false`;
    }
    const shown = typeof value === "number" && spec.fieldKind === "instant" ? instantText(value, zone) : valueText(value);
    return `${field} is ${shown} (needs ${testText(spec, show)})`;
  };
}

function testText(spec: FieldValueSpec, show: (o: Operand) => string): string {
  const test = spec.test;
  switch (test.kind) {
    case "compare":
      return test.op === "=" ? show(test.operand) : `${OP_SYMBOL[test.op]} ${show(test.operand)}`;
    case "in":
      return `${test.negated ? "none" : "one"} of ${test.operands.map(show).join(", ")}`;
    case "between":
      return `between ${show(test.low)} and ${show(test.high)}`;
  }
}

function operandText(o: Operand, spec: FieldValueSpec, tiers: readonly string[], zone: string): string {
  if (typeof o === "object") return DateTime.fromMillis(o.start, { zone }).toISODate() ?? "";
  if (spec.fieldKind === "tier" && typeof o === "number") return tiers[o] ?? String(o);
  return valueText(o);
}

function valueText(v: string | number | boolean): string {
  if (typeof v === "number") return numberText(v);
  if (typeof v === "boolean") return String(v);
  return nameText(v);
}

/** The next celebration of a birthday on or after `today`; 29 February is 28 February in other years. */
function nextBirthday(birthday: string, today: string): string {
  const t = DateTime.fromISO(today, { zone: "UTC" });
  const month = Number(birthday.slice(5, 7));
  const day = Number(birthday.slice(8, 10));
  const on = (year: number): DateTime => {
    const d = DateTime.fromObject({ year, month, day }, { zone: "UTC" });
    return d.isValid ? d : DateTime.fromObject({ year, month, day: day - 1 }, { zone: "UTC" });
  };
  const thisYear = on(t.year);
  return (thisYear >= t ? thisYear : on(t.year + 1)).toISODate() ?? "";
}

function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: "UTC" }).diff(DateTime.fromISO(from, { zone: "UTC" }), "days").days);
}
