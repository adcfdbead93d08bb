import type { PatronConfig } from "@patron/config";
import type { CampaignDefinition, ChannelName, NameNode } from "@patron/dsl";

/** One place a campaign sends a message: what else the template will have (a coupon, awarded points). */
export interface MessageSend {
  readonly campaign: CampaignDefinition;
  readonly message: string;
  readonly via: readonly ChannelName[];
  /** The coupon it carries (`send coupon …`), by its patron.yaml name. */
  readonly coupon?: string;
  /** The points the same campaign awards (`award 200 points and send …`). */
  readonly award?: number;
  /** Offset of the send action in the campaign's file. */
  readonly at: number;
}

/** Every message every campaign sends, with what comes with it. */
export function messageSends(config: PatronConfig, campaigns: readonly CampaignDefinition[]): MessageSend[] {
  const sends: MessageSend[] = [];
  for (const campaign of campaigns) {
    const actions = campaign.rule.actions;
    const awards = actions.flatMap((a) => (a.kind === "AwardPoints" ? [a.amount.value] : []));
    const award = awards.length > 0 ? awards.reduce((a, b) => a + b, 0) : undefined;
    const base = { campaign, ...(award !== undefined && { award }) };
    for (const action of actions) {
      const via = action.kind === "AwardPoints" ? [] : action.via.map((v) => v.name as ChannelName);
      if (action.kind === "SendMessage") {
        const names: readonly NameNode[] = Array.isArray(action.message)
          ? action.message.map((v) => v.message)
          : [action.message as NameNode];
        for (const name of names) sends.push({ ...base, message: name.value, via, at: action.start });
      } else if (action.kind === "SendCoupon") {
        const spec = action.coupon;
        const coupon =
          spec.kind === "named"
            ? config.coupons.find((c) => c.name === spec.name.value)
            : config.coupons.find((c) => c.brand?.toLowerCase() === spec.brand.value.toLowerCase());
        if (coupon) sends.push({ ...base, message: coupon.message, via, coupon: coupon.name, at: action.start });
      }
    }
  }
  return sends;
}
