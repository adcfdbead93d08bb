import type { CouponReport, DeliveryReport, GoalReport, GroupConversion, LoyaltyReport, Report, RunReport, Uplift } from "@patron/engine";
import { displayWidth } from "@patron/dsl";
import { funnelLines } from "./funnel-text.js";

/*
 * `patron report` as text: one block per run (funnel, delivery, goal, coupons), then the loyalty
 * KPIs of the period. Numbers are right-aligned in columns; rates are percentages with one
 * decimal, uplifts percentage points with a sign. The words shared with the HTML report live here.
 */

const n = (v: number): string => v.toLocaleString("en-US");
export const percent = (rate: number | null): string => (rate === null ? "–" : `${(rate * 100).toFixed(1)}%`);
export const points = (difference: number): string => `${difference > 0 ? "+" : ""}${(difference * 100).toFixed(1)}`;
const money = (v: number): string => v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Group labels of the goal table. */
export const GROUP_LABELS = {
  treatment: "treatment (sent a message)",
  holdout: "holdout (control group)",
  targeted: "targeted (all not held out)",
} as const;

/** Rows of cells as aligned lines: by default the first column left-aligned, the others right-aligned. */
export function table(rows: readonly (readonly string[])[], indent = "    ", align: readonly ("left" | "right")[] = []): string[] {
  // Widths on screen: a Chinese coupon or campaign name takes two columns per character.
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  const left = (i: number): boolean => (align[i] ?? (i === 0 ? "left" : "right")) === "left";
  const pad = (cell: string, i: number): string => {
    const fill = " ".repeat((widths[i] ?? 0) - displayWidth(cell));
    return left(i) ? cell + fill : fill + cell;
  };
  return rows.map((row) => (indent + row.map(pad).join("  ")).trimEnd());
}

export function reportLines(report: Report): string[] {
  const lines = [
    `report as of ${report.asOf} · period from ${report.from} (${report.timezone})${report.campaign ? ` · campaign ${report.campaign}` : ""}`,
  ];
  if (report.runs.length === 0) lines.push("", `no run${report.campaign ? ` of ${report.campaign}` : ""} in the period`);
  for (const run of report.runs) lines.push("", ...runLines(run));
  lines.push("", ...loyaltyLines(report.loyalty));
  return lines;
}

function runLines(run: RunReport): string[] {
  return [
    `${run.campaign} · run ${run.run} as of ${run.asOf}${run.state === "planning" ? " (planning not finished)" : ""}`,
    ...run.notes.map((note) => `  ! ${note}`),
    "  funnel",
    ...funnelLines(run.funnel).map((l) => `  ${l}`),
    ...deliveryLines(run.delivery),
    ...goalLines(run.goal),
    ...couponLines(run.coupons),
  ];
}

function deliveryLines(d: DeliveryReport): string[] {
  if (d.planned === 0) return ["  delivery: no message planned"];
  const rows: string[][] = [["sent (accepted by the provider)", n(d.sent)]];
  if (d.sent > 0) {
    rows.push(["  delivered", n(d.delivered)], ["  not delivered", n(d.undelivered)], ["  no receipt yet", n(d.noReceipt)]);
  }
  rows.push(["failed (refused by the provider)", n(d.failed)]);
  if (d.waiting > 0) rows.push(["waiting to be sent", n(d.waiting)]);
  const codes = d.codes.map((c) => [`  ${c.provider} ${c.code}`, c.stage === "send" ? "refused" : "not delivered", n(c.messages)]);
  return [
    `  delivery of ${n(d.planned)} message${d.planned === 1 ? "" : "s"}`,
    ...table(rows),
    ...(codes.length > 0 ? ["    by provider code", ...table(codes, "    ", ["left", "left", "right"])] : []),
  ];
}

function interval(ci: readonly [number, number] | null): string {
  return ci === null ? "" : `${percent(ci[0])} – ${percent(ci[1])}`;
}

function upliftText(u: Uplift | null): string {
  if (u === null) return "not measurable (a group is empty)";
  return `${points(u.difference)} points, 95% CI ${points(u.ci[0])} to ${points(u.ci[1])}${u.significant ? "" : " (not significant: the interval includes 0)"}`;
}

function goalLines(goal: GoalReport | null): string[] {
  if (goal === null) return ["  goal: none"];
  const window = goal.complete ? `closed ${goal.end}` : `open until ${goal.end}, counted to ${goal.until}`;
  const row = (label: string, g: GroupConversion): string[] => [label, n(g.members), n(g.conversions), percent(g.rate), interval(g.ci)];
  return [
    `  goal: ${goal.condition}`,
    `    purchases after ${goal.from}, window ${window}`,
    ...table([
      ["group", "members", "converted", "rate", "95% CI"],
      row(GROUP_LABELS.treatment, goal.treatment),
      row(GROUP_LABELS.holdout, goal.holdout),
      row(GROUP_LABELS.targeted, goal.targeted),
    ]),
    `    uplift, treatment − holdout: ${upliftText(goal.uplift)}`,
    `    uplift, targeted − holdout:  ${upliftText(goal.upliftIntentToTreat)}`,
  ];
}

function couponLines(c: CouponReport): string[] {
  if (c.issued === 0) return ["  coupons: none issued"];
  return [
    "  coupons",
    ...table([["coupon", "issued", "redeemed", "rate"], ...c.byCoupon.map((b) => [b.coupon, n(b.issued), n(b.redeemed), percent(b.rate)])]),
  ];
}

function loyaltyLines(k: LoyaltyReport): string[] {
  return [
    `loyalty KPIs, ${k.from} → ${k.to}`,
    ...table(
      [
        ["members", n(k.members), ""],
        ["new members", n(k.newMembers), "joined in the period"],
        ["active at the start", n(k.activeAtStart), `bought something in the ${k.churnDays} days before the period`],
        ["churned", n(k.churned), `${percent(k.churnRate)} of them: no purchase in the last ${k.churnDays} days`],
        [
          "coupon codes issued",
          n(k.coupons.issued),
          `${n(k.coupons.redeemed)} redeemed (${percent(k.coupons.rate)}); ${n(k.coupons.redemptionsInPeriod)} redemptions in the period`,
        ],
        [
          "spend",
          money(k.spend.total),
          `${k.spend.perMember === null ? "–" : money(k.spend.perMember)} per member, ${k.spend.perBuyer === null ? "–" : money(k.spend.perBuyer)} per buyer (${n(k.spend.buyers)} buyers)`,
        ],
      ],
      "  ",
      ["left", "right", "left"],
    ),
  ];
}
