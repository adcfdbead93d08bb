import type { ChannelName } from "@patron/channels";
import { messageJsonRenderer, type MessageJsonRenderer } from "../render/render.js";
import type { CompiledMessages } from "../render/compile.js";
import type { MessageContext } from "../render/context.js";
import { ageOn, localDate, memberZone } from "../time/local-dates.js";
import type { RenderFn } from "./decide.js";
import { CANONICAL, customValues, type PlannedMember } from "./members.js";
import type { VariableKind } from "../render/variables.js";
import type { Mutable } from "../mutable.js";

export interface RenderSettings {
  readonly compiled: CompiledMessages;
  readonly campaign: string;
  /** The run's clock: `now` of every template. */
  readonly asOf: number;
  readonly businessZone: string;
  /** The member's one-click unsubscribe link, for email templates and headers. */
  readonly unsubscribeUrl?: (memberId: string, channel: ChannelName) => string;
}

/**
 * The RenderFn planning uses: a planned member and an action's extras → the template context →
 * content, as the JSON text the outbox keeps (render.ts messageJsonRenderer).
 */
export function templateRenderFn(settings: RenderSettings): RenderFn {
  const fields = settings.compiled.settings.fields;
  const campaign = { name: settings.campaign };
  const customKinds = new Map([...fields].filter(([name]) => !CANONICAL.has(name)));
  const renderers = { sms: new Map<string, Renderer>(), email: new Map<string, Renderer>(), wechat: new Map<string, Renderer>() };
  return (member, message, channel, extras) => {
    let renderer = renderers[channel].get(message);
    if (!renderer) {
      renderer = {
        render: messageJsonRenderer(settings.compiled, message, channel),
        custom: showsCustom(settings.compiled, message, channel),
      };
      renderers[channel].set(message, renderer);
    }
    const context: Mutable<MessageContext> = {
      member: memberValues(member, settings.asOf, settings.businessZone, fields, renderer.custom ? customKinds : undefined),
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
    return renderer.render(context);
  };
}

/** A message on a channel as a run renders it: its renderer, and whether its templates show custom fields. */
interface Renderer {
  readonly render: MessageJsonRenderer;
  readonly custom: boolean;
}

/**
 * The member's fields as templates see them: those the templates show (read with the page, see
 * members.ts), custom ones when this message's templates on this channel show any, and age on
 * the member's local date when a template shows it.
 */
function memberValues(
  m: PlannedMember,
  asOf: number,
  businessZone: string,
  used: ReadonlyMap<string, VariableKind>,
  /** The custom fields templates show, when this message's templates on this channel show any. */
  custom: ReadonlyMap<string, VariableKind> | undefined,
): MessageContext["member"] {
  const values = custom ? { ...m.fields, ...customValues(m.custom, custom) } : m.fields;
  if (!used.has("age")) return values as MessageContext["member"];
  const birthday = m.fields["birthday"];
  const age = typeof birthday === "string" ? ageOn(birthday, localDate(asOf, memberZone(m.timezone, businessZone))) : undefined;
  return { ...values, id: m.id, age };
}

/** Whether the templates of a message on a channel show a custom member field. */
function showsCustom(compiled: CompiledMessages, message: string, channel: ChannelName): boolean {
  return compiled.templates.some(
    (t) =>
      t.unit.message === message &&
      t.unit.channel === channel &&
      (t.analysis?.uses ?? []).some((u) => u.parts[0] === "member" && u.parts[1] !== undefined && !CANONICAL.has(u.parts[1])),
  );
}
