import type { Region } from "@patron/config";
import Handlebars from "handlebars";
import type { DateTime } from "luxon";
import { dateOf } from "./context.js";
import { daysUntil, formatDate, formatMoney } from "./format.js";
import type { VariableKind } from "./variables.js";

/*
 * The helpers templates may call, and one Handlebars environment holding only them. What a helper
 * takes is declared here once: the checker reads HELPERS to say "money takes a number", the
 * environment registers the same functions.
 */

/** A parameter: a variable of one of these kinds, or a literal of the matching type. */
export type ParamKind = VariableKind | "any";

export interface HelperSpec {
  /** `{{#if x}}…{{/if}}` (block) or `{{money x}}` (inline). */
  readonly block: boolean;
  readonly params: readonly ParamKind[];
  /** How many of `params` must be given. */
  readonly required: number;
  /** The named options it takes (`includeZero=true`). */
  readonly options: readonly string[];
  /** The second parameter must be written as a "text" literal (a date format). */
  readonly literalFrom?: number;
  readonly usage: string;
}

export const HELPERS: ReadonlyMap<string, HelperSpec> = new Map<string, HelperSpec>([
  ["if", { block: true, params: ["any"], required: 1, options: ["includeZero"], usage: "{{#if coupon}}…{{else}}…{{/if}}" }],
  ["unless", { block: true, params: ["any"], required: 1, options: ["includeZero"], usage: "{{#unless member.city}}…{{/unless}}" }],
  [
    "date",
    { block: false, params: ["date", "text"], required: 1, options: [], literalFrom: 1, usage: '{{date coupon.expiresOn "M月d日"}}' },
  ],
  ["money", { block: false, params: ["number"], required: 1, options: [], usage: "{{money 20}}" }],
  ["daysLeft", { block: false, params: ["date"], required: 1, options: [], usage: "{{daysLeft coupon.expiresOn}}" }],
]);

/** Per render: where the member is and what time it is, for the date helpers. */
export interface RenderData {
  readonly region: Region;
  readonly now: DateTime;
}

export type HandlebarsEnv = typeof Handlebars;

/** An isolated environment: the built-in helpers Patron does not offer (each, with, lookup, log) are removed. */
export function createEnvironment(): HandlebarsEnv {
  const env = Handlebars.create();
  for (const name of Object.keys(env.helpers)) {
    if (!HELPERS.has(name) && name !== "helperMissing" && name !== "blockHelperMissing") env.unregisterHelper(name);
  }
  env.registerHelper("date", (value: unknown, ...rest: unknown[]) => {
    const format = rest.length > 1 ? rest[0] : undefined;
    if (format !== undefined && typeof format !== "string") throw new Error("date: the format must be text in quotes");
    return formatDate(requireDate("date", value), data(rest).region, format);
  });
  env.registerHelper("money", (value: unknown, ...rest: unknown[]) => {
    const amount = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof amount !== "number" || !Number.isFinite(amount)) throw new Error(`money: ${describe(value)} is not an amount`);
    return formatMoney(amount, data(rest).region);
  });
  env.registerHelper("daysLeft", (value: unknown, ...rest: unknown[]) => String(daysUntil(requireDate("daysLeft", value), data(rest).now)));
  return env;
}

/** The options object Handlebars passes last: its `data.root`-level frame carries RenderData. */
function data(rest: readonly unknown[]): RenderData {
  const options = rest[rest.length - 1] as { data?: { patron?: RenderData } } | undefined;
  const found = options?.data?.patron;
  if (!found) throw new Error("a date or money helper ran without render settings");
  return found;
}

function requireDate(helper: string, value: unknown): DateTime {
  const dt = dateOf(value);
  if (!dt) throw new Error(`${helper}: ${describe(value)} is not a date`);
  return dt;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "a variable without a value";
  if (typeof value === "string") return `"${value}"`;
  return typeof value === "object" ? "a group of values" : String(value);
}
