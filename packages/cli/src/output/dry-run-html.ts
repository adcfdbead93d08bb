import type { DryRunResult, Funnel, SampleMessage } from "@patron/engine";
import { REASON_LABELS } from "./funnel-text.js";
import { esc, htmlPage } from "./html.js";

/*
 * The dry-run report: one self-contained HTML file (no scripts, no network: styles inline, the
 * chart is SVG) that can be attached to a pull request or mailed to a brand manager. Email HTML
 * is shown in a sandboxed iframe (srcdoc), so a template's own styles and links cannot leak
 * into the report or run anything.
 */

const n = (v: number): string => v.toLocaleString("en-US");

export interface ReportCampaign {
  readonly file: string;
  readonly result: DryRunResult;
}

export function dryRunHtml(title: string, asOf: string, campaigns: readonly ReportCampaign[]): string {
  const sections = campaigns.map((c) => campaignSection(c)).join("\n");
  const style = `h2{margin:0 0 4px;font-size:19px}.file{color:#6e6e73;font-size:13px;margin:0 0 16px}
.previews{display:flex;flex-wrap:wrap;gap:20px;margin-top:16px}.preview{width:320px}.preview h4{margin:0 0 6px;font-size:13px;color:#6e6e73;font-weight:500}
.sms{background:#e9e9eb;border-radius:18px;padding:10px 14px;white-space:pre-wrap;max-width:280px}
.email{border:1px solid #d2d2d7;border-radius:8px;overflow:hidden}.email .subject{padding:8px 12px;border-bottom:1px solid #d2d2d7;font-weight:600}
.email iframe{width:100%;height:260px;border:0}.email pre{margin:0;padding:8px 12px;white-space:pre-wrap;font:inherit}
.wechat{border:1px solid #d2d2d7;border-radius:8px;padding:12px 14px}.wechat .first{font-weight:600;margin-bottom:8px}
.wechat dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}.wechat dt{color:#6e6e73}.wechat dd{margin:0}
.wechat .more{border-top:1px solid #eee;margin-top:10px;padding-top:6px;color:#576b95;font-size:13px}
.errors{color:#b3261e;font-size:13px}`;
  const subtitle = `Dry run as of ${asOf} · nothing was sent · ${n(campaigns.length)} campaign${campaigns.length === 1 ? "" : "s"}`;
  return htmlPage(title, subtitle, style, sections);
}

function campaignSection({ file, result }: ReportCampaign): string {
  const errors = result.templateErrors.length
    ? `<p class="errors">Templates failed for ${n(result.funnel.suppressed["template-error"])} member(s), e.g. ${esc(result.templateErrors[0]?.memberId ?? "")}: ${esc(result.templateErrors[0]?.detail ?? "")}</p>`
    : "";
  const previews = result.samples.map(preview).join("\n");
  return `<section>
<h2>${esc(result.campaign)}</h2><p class="file">${esc(file)}</p>
${funnelSvg(result.funnel)}
${errors}
<div class="previews">${previews || "<p>No message would be sent.</p>"}</div>
</section>`;
}

/** Horizontal bars: the audience, each reason, and the messages planned per channel. */
export function funnelSvg(funnel: Funnel): string {
  const rows: { label: string; value: number; colour: string }[] = [
    { label: "Audience", value: funnel.audience, colour: "#0071e3" },
    ...Object.entries(funnel.suppressed).map(([reason, value]) => ({
      label: REASON_LABELS[reason as keyof Funnel["suppressed"]],
      value,
      colour: "#d2d2d7",
    })),
    ...Object.entries(funnel.planned).map(([channel, value]) => ({ label: `Planned: ${channel}`, value, colour: "#34c759" })),
  ];
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * 30 + 10;
  const bars = rows
    .map((r, i) => {
      const y = 5 + i * 30;
      const w = Math.max(r.value > 0 ? 2 : 0, Math.round((r.value / max) * 520));
      return `<text x="0" y="${y + 17}" font-size="13" fill="#1d1d1f">${esc(r.label)}</text><rect x="240" y="${y + 3}" width="${w}" height="20" rx="4" fill="${r.colour}"/><text x="${246 + w}" y="${y + 17}" font-size="13" fill="#6e6e73">${n(r.value)}</text>`;
    })
    .join("");
  return `<svg role="img" aria-label="funnel" viewBox="0 0 860 ${height}" width="100%" style="max-width:860px" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

function preview(sample: SampleMessage): string {
  const head = `<h4>${esc(sample.channel)} · ${esc(sample.message)} · to ${esc(sample.to)} (${esc(sample.memberId)})</h4>`;
  const c = sample.content;
  if (c.channel === "sms") return `<div class="preview">${head}<div class="sms">${esc(c.body)}</div></div>`;
  if (c.channel === "email") {
    const body =
      c.html !== undefined ? `<iframe sandbox="" srcdoc="${esc(c.html)}" title="email body"></iframe>` : `<pre>${esc(c.text ?? "")}</pre>`;
    return `<div class="preview">${head}<div class="email"><div class="subject">${esc(c.subject)}</div>${body}</div></div>`;
  }
  const entries = Object.entries(c.data);
  const first = entries.find(([k]) => k === "first");
  const rest = entries.filter(([k]) => k !== "first");
  return `<div class="preview">${head}<div class="wechat">${first ? `<div class="first">${esc(first[1])}</div>` : ""}<dl>${rest
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join("")}</dl>${c.url ? `<div class="more">详情 · ${esc(c.url)}</div>` : ""}</div></div>`;
}
