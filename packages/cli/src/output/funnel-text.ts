import type { Funnel, SampleMessage } from "@patron/engine";

const n = (v: number): string => v.toLocaleString("en-US");

/** The words the funnel uses for each reason (text and HTML reports alike). */
export const REASON_LABELS: Readonly<Record<keyof Funnel["suppressed"], string>> = {
  holdout: "holdout (control group, recorded)",
  "no-address": "no address on any listed channel",
  "no-consent": "no consent (or opted out)",
  limit: "campaign limit reached",
  "frequency-cap": "frequency cap reached",
  "coupon-exhausted": "coupon exhausted",
  "template-error": "template could not be rendered",
};

/** A campaign's funnel as aligned lines: audience, each reason taken away, then planned per channel. */
export function funnelLines(funnel: Funnel): string[] {
  const planned = Object.values(funnel.planned).reduce((a, b) => a + b, 0);
  const width = Math.max(...[funnel.audience, planned, ...Object.values(funnel.suppressed)].map((v) => n(v).length));
  const line = (label: string, value: number, note = ""): string => `  ${label.padEnd(38)}${n(value).padStart(width)}${note}`;
  const byChannel = Object.entries(funnel.planned)
    .filter(([, v]) => v > 0)
    .map(([c, v]) => `${c} ${n(v)}`)
    .join(", ");
  return [
    line("audience", funnel.audience),
    // Every policy step, in the order they apply, zeros included: the funnel shows what was checked.
    ...Object.entries(funnel.suppressed).map(([reason, v]) => line(`− ${REASON_LABELS[reason as keyof Funnel["suppressed"]]}`, v)),
    line("= messages planned", planned, byChannel ? `  (${byChannel})` : ""),
    ...(funnel.deferred > 0 ? [line("  of which held for quiet hours", funnel.deferred)] : []),
    ...(funnel.awarded > 0 ? [line("members awarded points", funnel.awarded)] : []),
  ];
}

/** One sample message as an indented block. */
export function sampleLines(sample: SampleMessage): string[] {
  const who = `${sample.memberId}${sample.memberName ? ` ${sample.memberName}` : ""}`;
  const head = `  ${sample.channel} to ${sample.to} · ${who} · message "${sample.message}"`;
  const c = sample.content;
  const body: string[] =
    c.channel === "sms"
      ? [c.body]
      : c.channel === "email"
        ? [
            `Subject: ${c.subject}`,
            ...(c.text !== undefined ? [c.text] : []),
            ...(c.html !== undefined ? [`(HTML part, ${n(c.html.length)} characters)`] : []),
          ]
        : [`template ${c.templateId}${c.url ? ` → ${c.url}` : ""}`, ...Object.entries(c.data).map(([k, v]) => `${k}: ${v}`)];
  return [head, ...body.flatMap((b) => b.split("\n")).map((l) => `    ${l}`)];
}
