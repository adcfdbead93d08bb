import type { ChannelName } from "@patron/channels";
import { renderMessage } from "../render/render.js";
import type { CompiledMessages } from "../render/compile.js";
import type { MessageContext } from "../render/context.js";
import { ageOn, localDate, memberZone } from "../time/local-dates.js";
import type { ChannelContent, RenderFn } from "./decide.js";
import type { PlannedMember } from "./members.js";

export interface RenderSettings {
  readonly compiled: CompiledMessages;
  readonly campaign: string;
  /** The run's clock: `now` of every template. */
  readonly asOf: number;
  readonly businessZone: string;
  /** The member's one-click unsubscribe link, for email templates and headers. */
  readonly unsubscribeUrl?: (memberId: string, channel: ChannelName) => string;
}

/** The RenderFn planning uses: a planned member and an action's extras → the template context → content. */
export function templateRenderFn(settings: RenderSettings): RenderFn {
  const fields = settings.compiled.settings.fields;
  const campaign = { name: settings.campaign };
  return (member, message, channel, extras) => {
    const context: Mutable<MessageContext> = {
      member: memberValues(member, settings.asOf, settings.businessZone, fields),
      points: member.points ?? 0,
      expiringPoints: member.expiring?.points ?? 0,
      campaign,
      now: settings.asOf,
    };
    const firstExpiry = member.expiring?.firstExpiry;
    if (typeof firstExpiry === "number") context.expiresOn = firstExpiry;
    if (extras.awardedPoints !== undefined) context.awardedPoints = extras.awardedPoints;
    const coupon = extras.coupon;
    if (coupon) {
      context.coupon = {
        code: coupon.code,
        value: coupon.value,
        name: coupon.name,
        ...(coupon.expiresAt === null ? {} : { expiresOn: coupon.expiresAt }),
      };
    }
    if (channel === "email" && settings.unsubscribeUrl) context.unsubscribeUrl = settings.unsubscribeUrl(member.id, channel);
    return renderMessage(settings.compiled, message, channel, context) as ChannelContent;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The member's fields as templates see them: those the templates show (read with the page, see
 * members.ts), and age on the member's local date when a template shows it.
 */
function memberValues(m: PlannedMember, asOf: number, businessZone: string, used: ReadonlyMap<string, unknown>): MessageContext["member"] {
  if (!used.has("age")) return m.fields as MessageContext["member"];
  const birthday = m.fields["birthday"];
  const age = typeof birthday === "string" ? ageOn(birthday, localDate(asOf, memberZone(m.timezone, businessZone))) : undefined;
  return { ...m.fields, id: m.id, age };
}
