import type { Region } from "@patron/config";
import { DateTime } from "luxon";

/*
 * How dates and amounts read in each region (docs/templates.md, "Dates and money"). A date is
 * either a calendar date (YYYY-MM-DD: a birthday, a coupon's last day) that reads the same in
 * every zone, or an instant (epoch ms, an ISO date-time with an offset) shown on the member's
 * local calendar.
 */

/** A date as the context gives it: YYYY-MM-DD, an ISO 8601 date-time, epoch milliseconds or a Date. */
export type DateInput = string | number | Date;

const LOCALES: Readonly<Record<Region, string>> = { cn: "zh-CN", us: "en-US", eu: "en-GB", other: "en" };
const DEFAULT_DATE_FORMAT: Readonly<Record<Region, string>> = {
  cn: "yyyy年M月d日",
  us: "MMM d, yyyy",
  eu: "yyyy-MM-dd",
  other: "yyyy-MM-dd",
};
const CURRENCY: Readonly<Record<Region, string>> = { cn: "¥", us: "$", eu: "€", other: "" };

/** The date on the member's calendar (calendar dates unchanged), or undefined when `value` is no date. */
export function toDateTime(value: DateInput, zone: string): DateTime | undefined {
  let dt: DateTime;
  if (value instanceof Date) dt = DateTime.fromJSDate(value, { zone });
  else if (typeof value === "number") dt = DateTime.fromMillis(value, { zone });
  else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) dt = DateTime.fromISO(value, { zone });
  else dt = DateTime.fromISO(value, { zone, setZone: false });
  return dt.isValid ? dt : undefined;
}

/** `format` in luxon's tokens (yyyy, M, d, MMM, …); the region's style when absent. */
export function formatDate(value: DateTime, region: Region, format?: string): string {
  return value.setLocale(LOCALES[region]).toFormat(format ?? DEFAULT_DATE_FORMAT[region]);
}

/** ¥1,234.50 for cn, $1,234.50 for us, €1,234.50 for eu, 1,234.50 otherwise; -¥20.00 below zero. */
export function formatMoney(amount: number, region: Region): string {
  const digits = Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${amount < 0 ? "-" : ""}${CURRENCY[region]}${digits}`;
}

/** Whole days from `now`'s local date to `date`'s, never below 0 (today's last day: 0). */
export function daysUntil(date: DateTime, now: DateTime): number {
  const days = date.startOf("day").diff(now.setZone(date.zone).startOf("day"), "days").days;
  return Math.max(0, Math.round(days));
}
