import type { ChannelName, OutgoingMessage } from "@patron/channels";
import type { CouponConfig } from "@patron/config";
import type { CampaignDefinition, ChannelRefNode, NameNode, SendCouponNode, SendMessageNode } from "@patron/dsl";
import { pickVariant, stableFraction } from "./assign.js";
import { chooseChannel } from "./channel-choice.js";
import type { CouponIssuer, IssuedCoupon } from "./coupons.js";
import { reachOf, type PlannedMember } from "./members.js";
import { capReached, inHoldout, limitReached, quietUntil, type History, type Policies } from "./policies.js";
import { memberZone } from "../time/local-dates.js";

/** What a channel is given for one member, besides the key and the address. */
export type ChannelContent = OutgoingMessage extends infer M ? (M extends OutgoingMessage ? Omit<M, "key" | "to"> : never) : never;

/**
 * A send's content as rendered: the message, or its JSON text already (a run's templates render
 * straight to the JSON the outbox keeps, render/json-form.ts).
 */
export type RenderedContent = ChannelContent | string;

/** The JSON text of rendered content, as the outbox keeps it. */
export function contentJson(content: RenderedContent): string {
  return typeof content === "string" ? content : JSON.stringify(content);
}

/** Rendered content as the message it is. */
export function contentValue(content: RenderedContent): ChannelContent {
  return typeof content === "string" ? (JSON.parse(content) as ChannelContent) : content;
}

/**
 * Why a member of the audience gets no message from one send of a campaign, in funnel order:
 * kept as the holdout (control) group; no listed channel has an address; an address but no
 * consent (or an opt-out); the campaign's own limit; the global frequency cap; the coupon the
 * message carries is spent (cap reached, pool empty); a template that cannot be rendered for this
 * member (a strict template met a missing value).
 */
export type SuppressReason = "holdout" | "no-address" | "no-consent" | "limit" | "frequency-cap" | "coupon-exhausted" | "template-error";

export const SUPPRESS_REASONS: readonly SuppressReason[] = [
  "holdout",
  "no-address",
  "no-consent",
  "limit",
  "frequency-cap",
  "coupon-exhausted",
  "template-error",
];

export type Decision =
  | {
      readonly kind: "send";
      readonly member: PlannedMember;
      /** Which send of the rule (0 for the first). */
      readonly action: number;
      readonly channel: ChannelName;
      readonly address: string;
      readonly message: string;
      readonly content: RenderedContent;
      /** The coupon code the message carries, issued for this member. */
      readonly coupon?: IssuedCoupon;
      /** An offer (counts against the frequency cap) rather than a service notice. */
      readonly marketing: boolean;
      /** The member's time zone (theirs when valid, else the business's). */
      readonly zone: string;
      /** Held for quiet hours until this instant; absent when it may go at once. */
      readonly deferredUntil?: number;
    }
  | {
      /** `award N points`: a point lot for the member (and, for a rule that sends nothing, the outbox row recording it). */
      readonly kind: "award";
      readonly member: PlannedMember;
      readonly points: number;
      /** The rule sends no message: the outbox row (decision "award-only") is the record of the decision. */
      readonly recordRow: boolean;
    }
  | {
      readonly kind: "suppressed";
      readonly member: PlannedMember;
      readonly action: number;
      readonly reason: SuppressReason;
      /** For template-error: what went wrong. */
      readonly detail?: string;
    };

/** What a template may need beyond the member: the action's points, the coupon it carries. */
export interface ActionExtras {
  readonly awardedPoints?: number;
  readonly coupon?: IssuedCoupon;
}

/** Renders one message for one member on one channel; throws when a template cannot be rendered. */
export type RenderFn = (member: PlannedMember, message: string, channel: ChannelName, extras: ActionExtras) => RenderedContent;

/** A send action of the rule, resolved against patron.yaml once per run. */
export interface SendPlan {
  readonly index: number;
  readonly via: readonly ChannelName[];
  /** One message, or weighted variants. */
  readonly messages: readonly { readonly name: string; readonly percent: number }[];
  readonly awardedPoints?: number;
  /** The coupon a `send coupon` carries. */
  readonly coupon?: CouponConfig;
}

/**
 * Resolves the campaign's send actions: message names (or variants), the coupon a `send coupon`
 * carries and the message that carries it, points awarded by the same rule. The checker has
 * made sure all of them exist; a name that does not is a bug, not a member's problem.
 */
/** The points the rule awards (the sum of its `award N points`), 0 when none. */
export function awardedPoints(campaign: CampaignDefinition): number {
  return campaign.rule.actions.reduce((sum, a) => (a.kind === "AwardPoints" ? sum + a.amount.value : sum), 0);
}

export function sendPlans(campaign: CampaignDefinition, coupons: readonly CouponConfig[]): SendPlan[] {
  const awarded = campaign.rule.actions.find((a) => a.kind === "AwardPoints");
  const awardedPoints = awarded?.kind === "AwardPoints" ? awarded.amount.value : undefined;
  const plans: SendPlan[] = [];
  for (const action of campaign.rule.actions) {
    if (action.kind === "AwardPoints") continue;
    const via = channelsOf(action.via);
    const base = { index: plans.length, via, ...(awardedPoints === undefined ? {} : { awardedPoints }) };
    if (action.kind === "SendMessage") {
      plans.push({ ...base, messages: messagesOf(action) });
    } else {
      const coupon = couponOf(action, coupons);
      plans.push({ ...base, messages: [{ name: coupon.message, percent: 100 }], coupon });
    }
  }
  return plans;
}

function channelsOf(via: readonly ChannelRefNode[]): ChannelName[] {
  return via.map((ref) => ref.name as ChannelName);
}

function messagesOf(action: SendMessageNode): { name: string; percent: number }[] {
  if (!Array.isArray(action.message)) return [{ name: (action.message as NameNode).value, percent: 100 }];
  return action.message.map((v) => ({ name: v.message.value, percent: v.percent.value }));
}

function couponOf(action: SendCouponNode, coupons: readonly CouponConfig[]): CouponConfig {
  const wanted = action.coupon;
  const found =
    wanted.kind === "named"
      ? coupons.find((c) => c.name === wanted.name.value)
      : coupons.find((c) => c.brand?.toLowerCase() === wanted.brand.value.toLowerCase());
  // The checker reports a coupon that does not exist; reaching here with one is a bug.
  if (!found) throw new Error(`no coupon matches ${JSON.stringify(action.coupon)}: run patron check`);
  return found;
}

/** What deciding needs besides the member: the run's clock and policies, the member's history. */
export interface DecideContext {
  readonly asOf: number;
  readonly businessZone: string;
  readonly policies: Policies;
  readonly history?: History;
}

/**
 * The decisions for one member: one per send action of the rule, through the policies in funnel
 * order. The same member, campaign, history and templates always give the same decisions (bar a
 * coupon code), which is what lets an interrupted planning resume.
 */
export function decide(
  campaign: CampaignDefinition,
  plans: readonly SendPlan[],
  member: PlannedMember,
  render: RenderFn,
  coupons: CouponIssuer,
  ctx: DecideContext,
): Decision[] {
  const { policies, asOf } = ctx;
  const award = awardedPoints(campaign);
  if (inHoldout(campaign.id, member.id, policies.holdoutPercent)) {
    // Recorded, not sent (and not awarded): the control group goals are measured against.
    const actions = plans.length > 0 ? plans.map((plan) => plan.index) : [0];
    return actions.map((action) => ({ kind: "suppressed", member, action, reason: "holdout" }));
  }
  const awards: Decision[] = award > 0 ? [{ kind: "award", member, points: award, recordRow: plans.length === 0 }] : [];
  const zone = memberZone(member.timezone, ctx.businessZone);
  // Sends decided for this member in this call count too, for a rule with two sends.
  const several = plans.length > 1;
  let campaignSends = ctx.history?.campaign ?? NO_SENDS;
  let marketingSends = ctx.history?.marketing ?? NO_SENDS;
  const sends = plans.map((plan): Decision => {
    const suppressed = (reason: SuppressReason, detail?: string): Decision => ({
      kind: "suppressed",
      member,
      action: plan.index,
      reason,
      ...(detail === undefined ? {} : { detail }),
    });
    const choice = chooseChannel(plan.via, (channel) => reachOf(member, channel));
    if (!choice.ok) return suppressed(choice.reason);
    const message =
      plan.messages.length === 1
        ? (plan.messages[0] as { name: string }).name
        : pickVariant(plan.messages, stableFraction(campaign.id, member.id, `variant:${plan.index}`)).name;
    // Limits and caps count messages when they reach the member: after quiet hours if they hold it.
    const deferredUntil = quietUntil(policies.quietHours, asOf, zone);
    const reachesAt = deferredUntil ?? asOf;
    if (limitReached(policies, campaignSends, reachesAt)) return suppressed("limit");
    const marketing = policies.purposeOf(message) === "marketing";
    if (marketing && capReached(policies.cap, marketingSends, reachesAt, zone)) return suppressed("frequency-cap");
    const coupon = plan.coupon && coupons.issue(plan.coupon, member.id);
    if (plan.coupon && !coupon) return suppressed("coupon-exhausted");
    const extras: ActionExtras = {
      ...(plan.awardedPoints === undefined ? {} : { awardedPoints: plan.awardedPoints }),
      ...(coupon ? { coupon } : {}),
    };
    let content: RenderedContent;
    try {
      content = render(member, message, choice.channel, extras);
    } catch (error) {
      if (coupon) coupons.release(coupon);
      return suppressed("template-error", (error as Error).message);
    }
    if (several) {
      campaignSends = [...campaignSends, reachesAt];
      if (marketing) marketingSends = [...marketingSends, reachesAt];
    }
    return {
      kind: "send",
      member,
      action: plan.index,
      channel: choice.channel,
      address: choice.address,
      message,
      content,
      marketing,
      zone,
      ...(coupon ? { coupon } : {}),
      ...(deferredUntil === undefined ? {} : { deferredUntil }),
    };
  });
  return awards.length === 0 ? sends : [...awards, ...sends];
}

const NO_SENDS: readonly number[] = [];
