import type { GoalReport, GroupConversion, LoyaltyReport, Report, RunReport, Uplift } from "@patron/engine";
import { funnelSvg } from "./dry-run-html.js";
import { esc, htmlPage } from "./html.js";
import { GROUP_LABELS, percent, points } from "./report-text.js";

/*
 * `patron report --format html`: one self-contained file (no scripts, no network: styles inline,
 * charts as SVG) to mail to a brand manager. Per run: the funnel (the dry run's chart), delivery
 * by provider code, goal conversion per group as bars with their 95% interval as whiskers, the
 * uplift as a point and interval around zero; then the loyalty KPIs.
 */

const n = (v: number): string => v.toLocaleString("en-US");
const money = (v: number | null): string =>
  v === null ? "–" : v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** SVG coordinates with at most one decimal, so the file is stable and small. */
const px = (v: number): string => String(Math.round(v * 10) / 10);

export function reportHtml(title: string, report: Report): string {
  const runs = report.runs.length > 0 ? report.runs.map(runSection).join("\n") : `<section><p>No run in the period.</p></section>`;
  const style = `h2{margin:0 0 4px;font-size:19px}h3{font-size:15px;margin:18px 0 6px}.sub{color:#6e6e73;font-size:13px;margin:0 0 12px}
table{border-collapse:collapse;font-size:14px}td,th{padding:3px 12px 3px 0;text-align:right}td:first-child,th:first-child{text-align:left}
th{color:#6e6e73;font-weight:500}.note{color:#b3261e;font-size:13px}`;
  return htmlPage(
    title,
    `As of ${report.asOf} · period from ${report.from} · ${report.timezone}`,
    style,
    `${runs}\n${loyaltySection(report.loyalty)}`,
  );
}

function runSection(run: RunReport): string {
  const notes = run.notes.map((note) => `<p class="note">${esc(note)}</p>`).join("");
  return `<section>
<h2>${esc(run.campaign)}</h2><p class="sub">Run ${run.run} as of ${esc(run.asOf)}${run.state === "planning" ? " · planning not finished" : ""}</p>
${notes}<h3>Funnel</h3>
${funnelSvg(run.funnel)}
${deliveryTable(run)}
${goalBlock(run.goal)}
${couponTable(run)}
</section>`;
}

function deliveryTable({ delivery: d }: RunReport): string {
  if (d.planned === 0) return "<h3>Delivery</h3><p>No message planned.</p>";
  const providers = d.byProvider
    .map(
      (p) =>
        `<tr><td>${esc(p.provider)}</td><td>${n(p.sent)}</td><td>${n(p.delivered)}</td><td>${n(p.undelivered)}</td><td>${n(p.noReceipt)}</td><td>${n(p.failed)}</td></tr>`,
    )
    .join("");
  const codes = d.codes
    .map(
      (c) =>
        `<tr><td>${esc(c.provider)}</td><td>${esc(c.code)}</td><td>${c.stage === "send" ? "refused" : "not delivered"}</td><td>${n(c.messages)}</td></tr>`,
    )
    .join("");
  return `<h3>Delivery of ${n(d.planned)} message${d.planned === 1 ? "" : "s"}${d.waiting > 0 ? ` · ${n(d.waiting)} waiting` : ""}</h3>
<table><tr><th>provider</th><th>sent</th><th>delivered</th><th>not delivered</th><th>no receipt</th><th>failed</th></tr>${providers}</table>
${codes ? `<h3>By provider code</h3><table><tr><th>provider</th><th>code</th><th>stage</th><th>messages</th></tr>${codes}</table>` : ""}`;
}

function goalBlock(goal: GoalReport | null): string {
  if (goal === null) return "<h3>Goal</h3><p>The campaign has no goal.</p>";
  const window = goal.complete ? `window closed ${esc(goal.end)}` : `window open until ${esc(goal.end)}, counted to ${esc(goal.until)}`;
  return `<h3>Goal: ${esc(goal.condition)}</h3><p class="sub">Purchases after ${esc(goal.from)}, ${window}</p>
${conversionSvg(goal)}
${upliftSvg(goal)}`;
}

const GROUP_COLOURS = { treatment: "#0071e3", holdout: "#8e8e93", targeted: "#5ac8fa" } as const;

/** Conversion rate per group as horizontal bars, each with its 95% interval as a whisker. */
export function conversionSvg(goal: GoalReport): string {
  const groups = (["treatment", "holdout", "targeted"] as const).map((key) => ({ key, g: goal[key] }));
  const highest = Math.max(0.1, ...groups.map(({ g }) => g.ci?.[1] ?? g.rate ?? 0));
  const scale = Math.ceil(highest * 10) / 10;
  const left = 230;
  const width = 480;
  const x = (rate: number): number => left + (rate / scale) * width;
  const rows = groups
    .map(({ key, g }, i) => {
      const y = 10 + i * 34;
      return `<text x="0" y="${y + 17}" font-size="13" fill="#1d1d1f">${esc(GROUP_LABELS[key])}</text>${bar(g, y, x, GROUP_COLOURS[key])}`;
    })
    .join("");
  const ticks = Array.from({ length: Math.round(scale * 10) + 1 }, (_, i) => i / 10)
    .filter((t, i, all) => all.length <= 6 || i % 2 === 0)
    .map(
      (t) =>
        `<line x1="${px(x(t))}" y1="8" x2="${px(x(t))}" y2="112" stroke="#e5e5ea"/><text x="${px(x(t))}" y="128" font-size="11" fill="#6e6e73" text-anchor="middle">${Math.round(t * 100)}%</text>`,
    )
    .join("");
  return `<svg role="img" aria-label="conversion rate by group with 95% intervals" viewBox="0 0 860 136" width="100%" style="max-width:860px" xmlns="http://www.w3.org/2000/svg">${ticks}${rows}</svg>`;
}

function bar(g: GroupConversion, y: number, x: (rate: number) => number, colour: string): string {
  if (g.rate === null) return `<text x="${px(x(0) + 6)}" y="${y + 17}" font-size="13" fill="#6e6e73">no members</text>`;
  const label = `${percent(g.rate)} (${n(g.conversions)} of ${n(g.members)})`;
  const whisker = g.ci
    ? `<line x1="${px(x(g.ci[0]))}" y1="${y + 13}" x2="${px(x(g.ci[1]))}" y2="${y + 13}" stroke="#1d1d1f" stroke-width="1.5"/>` +
      `<line x1="${px(x(g.ci[0]))}" y1="${y + 7}" x2="${px(x(g.ci[0]))}" y2="${y + 19}" stroke="#1d1d1f" stroke-width="1.5"/>` +
      `<line x1="${px(x(g.ci[1]))}" y1="${y + 7}" x2="${px(x(g.ci[1]))}" y2="${y + 19}" stroke="#1d1d1f" stroke-width="1.5"/>`
    : "";
  const end = Math.max(x(g.rate), g.ci ? x(g.ci[1]) : 0);
  return `<rect x="${px(x(0))}" y="${y + 3}" width="${px(Math.max(g.rate > 0 ? 2 : 0, x(g.rate) - x(0)))}" height="20" rx="3" fill="${colour}"/>${whisker}<text x="${px(end + 8)}" y="${y + 17}" font-size="13" fill="#6e6e73">${label}</text>`;
}

/** Each uplift as a point with its 95% interval, around a zero line: an interval across zero is not significant. */
export function upliftSvg(goal: GoalReport): string {
  const rows: { label: string; u: Uplift | null }[] = [
    { label: "treatment − holdout", u: goal.uplift },
    { label: "targeted − holdout", u: goal.upliftIntentToTreat },
  ];
  const extent = Math.max(0.05, ...rows.flatMap(({ u }) => (u ? [Math.abs(u.ci[0]), Math.abs(u.ci[1])] : [])));
  const scale = Math.ceil(extent * 20) / 20;
  const left = 230;
  const width = 480;
  const x = (d: number): number => left + ((d + scale) / (2 * scale)) * width;
  const body = rows
    .map(({ label, u }, i) => {
      const y = 10 + i * 34;
      const head = `<text x="0" y="${y + 17}" font-size="13" fill="#1d1d1f">uplift, ${esc(label)}</text>`;
      if (!u) return `${head}<text x="${left}" y="${y + 17}" font-size="13" fill="#6e6e73">not measurable (a group is empty)</text>`;
      const colour = u.significant ? "#34c759" : "#8e8e93";
      return (
        head +
        `<line x1="${px(x(u.ci[0]))}" y1="${y + 13}" x2="${px(x(u.ci[1]))}" y2="${y + 13}" stroke="${colour}" stroke-width="3"/>` +
        `<circle cx="${px(x(u.difference))}" cy="${y + 13}" r="5" fill="${colour}"/>` +
        `<text x="${px(x(u.ci[1]) + 8)}" y="${y + 17}" font-size="13" fill="#6e6e73">${points(u.difference)} pts (${points(u.ci[0])} to ${points(u.ci[1])})</text>`
      );
    })
    .join("");
  const axis =
    `<line x1="${px(x(0))}" y1="6" x2="${px(x(0))}" y2="78" stroke="#1d1d1f" stroke-dasharray="3 3"/>` +
    [-scale, 0, scale]
      .map((t) => `<text x="${px(x(t))}" y="94" font-size="11" fill="#6e6e73" text-anchor="middle">${points(t)} pts</text>`)
      .join("");
  return `<svg role="img" aria-label="uplift with 95% intervals" viewBox="0 0 860 102" width="100%" style="max-width:860px" xmlns="http://www.w3.org/2000/svg">${axis}${body}</svg>`;
}

function couponTable({ coupons: c }: RunReport): string {
  if (c.issued === 0) return "";
  const rows = c.byCoupon
    .map((b) => `<tr><td>${esc(b.coupon)}</td><td>${n(b.issued)}</td><td>${n(b.redeemed)}</td><td>${percent(b.rate)}</td></tr>`)
    .join("");
  return `<h3>Coupons</h3><table><tr><th>coupon</th><th>issued</th><th>redeemed</th><th>rate</th></tr>${rows}</table>`;
}

function loyaltySection(k: LoyaltyReport): string {
  const row = (label: string, value: string, note: string): string =>
    `<tr><td>${esc(label)}</td><td>${value}</td><td style="text-align:left;color:#6e6e73">${esc(note)}</td></tr>`;
  return `<section>
<h2>Loyalty KPIs</h2><p class="sub">${esc(k.from)} → ${esc(k.to)} · churn after ${k.churnDays} days without a purchase</p>
<table>
${row("members", n(k.members), "")}
${row("new members", n(k.newMembers), "joined in the period")}
${row("active at the start", n(k.activeAtStart), `bought something in the ${k.churnDays} days before the period`)}
${row("churned", n(k.churned), `${percent(k.churnRate)} of them: no purchase in the last ${k.churnDays} days`)}
${row("coupon codes issued", n(k.coupons.issued), `${n(k.coupons.redeemed)} redeemed (${percent(k.coupons.rate)}); ${n(k.coupons.redemptionsInPeriod)} redemptions in the period`)}
${row("spend", money(k.spend.total), `${money(k.spend.perMember)} per member, ${money(k.spend.perBuyer)} per buyer (${n(k.spend.buyers)} buyers)`)}
</table>
</section>`;
}
