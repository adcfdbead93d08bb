import type { ChannelName } from "@patron/channels";
import { PreviewCouponIssuer } from "./coupons.js";
import { contentValue, type ChannelContent, type Decision } from "./decide.js";
import type { Funnel } from "./funnel.js";
import { planInto, type PlanInput } from "./plan-run.js";

/** One rendered message shown by a dry run. */
export interface SampleMessage {
  readonly memberId: string;
  readonly memberName: string | null;
  readonly channel: ChannelName;
  readonly message: string;
  /** The address, partly masked: a report is shared more widely than the member data. */
  readonly to: string;
  readonly content: ChannelContent;
}

export interface DryRunResult {
  readonly campaign: string;
  readonly asOf: number;
  readonly funnel: Funnel;
  readonly samples: readonly SampleMessage[];
  /** The first members a template could not be rendered for, with why. */
  readonly templateErrors: readonly { readonly memberId: string; readonly detail: string }[];
  readonly elapsedMs: number;
}

/**
 * The whole planning of a campaign without writing anything: the same audience, decisions and
 * rendering as a run, counted into a funnel, with a few rendered messages per channel (and per
 * message, for variants). The outbox and the runs table are not touched.
 */
export function dryRun(input: PlanInput, samplesPerMessage = 2): DryRunResult {
  const started = performance.now();
  const samples: SampleMessage[] = [];
  const perKey = new Map<string, number>();
  const templateErrors: { memberId: string; detail: string }[] = [];
  const keep = (d: Decision): void => {
    if (d.kind === "award") return;
    if (d.kind === "suppressed") {
      if (d.reason === "template-error" && templateErrors.length < 10)
        templateErrors.push({ memberId: d.member.id, detail: d.detail ?? "" });
      return;
    }
    const key = `${d.channel}/${d.message}`;
    const n = perKey.get(key) ?? 0;
    if (n >= samplesPerMessage) return;
    perKey.set(key, n + 1);
    samples.push({
      memberId: d.member.id,
      memberName: d.member.name,
      channel: d.channel,
      message: d.message,
      to: maskAddress(d.channel, d.address),
      content: contentValue(d.content),
    });
  };
  const funnel = planInto(input, { page: (decisions) => decisions.forEach(keep) }, new PreviewCouponIssuer(input.db, input.audience.asOf));
  return {
    campaign: input.campaign.id,
    asOf: input.audience.asOf,
    funnel,
    samples,
    templateErrors,
    elapsedMs: performance.now() - started,
  };
}

/** 13812345678 → 138****5678; ada@example.com → a**@example.com; openids keep 4 + 4. */
export function maskAddress(channel: ChannelName, address: string): string {
  if (channel === "email") {
    const at = address.indexOf("@");
    if (at <= 0) return "***";
    return `${address[0]}${"*".repeat(Math.min(6, Math.max(2, at - 1)))}${address.slice(at)}`;
  }
  if (address.length <= 8) return `${address.slice(0, 2)}****`;
  const tail = 4;
  const head = channel === "sms" ? Math.min(address.length - tail - 4, address.startsWith("+") ? 6 : 3) : 4;
  return `${address.slice(0, head)}****${address.slice(-tail)}`;
}
