import type { ChannelName } from "@patron/channels";
import { renderMessage } from "../render/render.js";
import type { CompiledMessages } from "../render/compile.js";
import type { MessageContext, MemberValue } from "../render/context.js";
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
  return (member, message, channel, extras) => {
    const context: MessageContext = {
      member: memberValues(member, settings.asOf, settings.businessZone, fields),
      points: member.points ?? 0,
      expiringPoints: member.expiring?.points ?? 0,
      ...(typeof member.expiring?.firstExpiry === "number" ? { expiresOn: member.expiring.firstExpiry } : {}),
      ...(extras.awardedPoints === undefined ? {} : { awardedPoints: extras.awardedPoints }),
      ...(extras.coupon
        ? {
            coupon: {
              code: extras.coupon.code,
              value: extras.coupon.value,
              name: extras.coupon.name,
              ...(extras.coupon.expiresAt === null ? {} : { expiresOn: extras.coupon.expiresAt }),
            },
          }
        : {}),
      ...(channel === "email" && settings.unsubscribeUrl ? { unsubscribeUrl: settings.unsubscribeUrl(member.id, channel) } : {}),
      campaign: { name: settings.campaign },
      now: settings.asOf,
    };
    const { channel: _channel, ...content } = renderMessage(settings.compiled, message, channel, context);
    void _channel;
    return { channel, ...content } as ChannelContent;
  };
}

/**
 * The member's row by canonical field name, custom fields beside them; age on the member's local
 * date. Only the fields a template shows (`used`) are worked out: age and custom fields cost.
 */
function memberValues(m: PlannedMember, asOf: number, businessZone: string, used: ReadonlyMap<string, unknown>): MessageContext["member"] {
  const values: Record<string, MemberValue> = {
    id: m.id,
    name: m.name,
    phone: m.phone,
    email: m.email,
    wechat_openid: m.wechatOpenid,
    tier: m.tier,
    points: m.points,
    city: m.city,
    gender: m.gender,
    birthday: m.birthday,
    joined_at: m.joinedAt,
    timezone: m.timezone,
    consent_sms: m.consent.sms,
    consent_email: m.consent.email,
    consent_wechat: m.consent.wechat,
    referred_by: m.referredBy,
  };
  if (used.has("age") && m.birthday) values["age"] = ageOn(m.birthday, localDate(asOf, memberZone(m.timezone, businessZone)));
  for (const [name, value] of Object.entries(m.attributes)) {
    if (!used.has(name)) continue;
    if (!(name in values) && (value === null || ["string", "number", "boolean"].includes(typeof value)))
      values[name] = value as MemberValue;
  }
  return { ...values, id: m.id };
}
