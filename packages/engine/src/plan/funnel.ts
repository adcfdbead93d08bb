import { CHANNEL_NAMES, type ChannelName } from "@patron/dsl";
import { SUPPRESS_REASONS, type Decision, type SuppressReason } from "./decide.js";

/**
 * A run's funnel: the audience, then how many decisions each reason suppressed, then the
 * messages planned per channel. A campaign with two sends decides twice per member, so
 * suppressed + planned can exceed the audience.
 */
export interface Funnel {
  audience: number;
  suppressed: Record<SuppressReason, number>;
  planned: Record<ChannelName, number>;
  /** Of the planned messages, those held for quiet hours (sent when they end). */
  deferred: number;
  /** Members awarded points (`award N points`): every selected member outside the holdout. */
  awarded: number;
}

export function emptyFunnel(audience: number): Funnel {
  return {
    audience,
    suppressed: Object.fromEntries(SUPPRESS_REASONS.map((r) => [r, 0])) as Record<SuppressReason, number>,
    planned: Object.fromEntries(CHANNEL_NAMES.map((c) => [c, 0])) as Record<ChannelName, number>,
    deferred: 0,
    awarded: 0,
  };
}

export function totalPlanned(funnel: Funnel): number {
  return Object.values(funnel.planned).reduce((a, b) => a + b, 0);
}

/** Adds the counts of `more` (decisions made elsewhere, of the same audience) to `funnel`. */
export function addFunnel(funnel: Funnel, more: Funnel): void {
  for (const reason of SUPPRESS_REASONS) funnel.suppressed[reason] += more.suppressed[reason];
  for (const channel of CHANNEL_NAMES) funnel.planned[channel] += more.planned[channel];
  funnel.deferred += more.deferred;
  funnel.awarded += more.awarded;
}

/** Counts a decision into a funnel. */
export function countDecision(funnel: Funnel, decision: Decision): void {
  if (decision.kind === "award") {
    funnel.awarded++;
    return;
  }
  if (decision.kind === "send") {
    funnel.planned[decision.channel]++;
    if (decision.deferredUntil !== undefined) funnel.deferred++;
  } else funnel.suppressed[decision.reason]++;
}
