import type { ChannelName } from "@patron/dsl";
import type { VariableUse } from "./analyze.js";
import type { CompiledMessages, CompiledTemplate } from "./compile.js";
import { dateOf, templateInput, type MessageContext, type TemplateInput } from "./context.js";
import type { RenderData } from "./helpers.js";

/** A message's content on one channel: OutgoingMessage of @patron/channels without key and to. */
export type RenderedMessage =
  | { readonly channel: "sms"; readonly body: string }
  | {
      readonly channel: "email";
      readonly subject: string;
      readonly text?: string;
      readonly html?: string;
      /** The context's unsubscribeUrl, for the List-Unsubscribe headers. */
      readonly unsubscribeUrl?: string;
    }
  | { readonly channel: "wechat"; readonly templateId: string; readonly url?: string; readonly data: Readonly<Record<string, string>> };

/** Why a message could not be rendered for a member: names the template and, when one is at fault, the variable. */
export class RenderError extends Error {
  constructor(
    message: string,
    /** The template at fault ("templates/welcome.sms.hbs"), when one is. */
    readonly template?: string,
    /** The variable without a value ("member.city"), when that is the reason. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = "RenderError";
  }
}

/**
 * Renders message `messageName` for one member on one channel. Throws RenderError when the
 * message has no template for the channel, a template has a problem (see `patron check`), or a
 * variable the template shows has no value for this member: a message is never sent with a hole.
 */
export function renderMessage<C extends ChannelName>(
  compiled: CompiledMessages,
  messageName: string,
  channel: C,
  context: MessageContext,
): Extract<RenderedMessage, { channel: C }> {
  const templates = templatesOf(compiled, messageName, channel);
  const { input, now } = templateInput(context, compiled.settings);
  const data: RenderData = { region: compiled.settings.region, now };
  const parts = new Map<string, string>();
  for (const t of templates) parts.set(t.unit.part, run(t, input, data, context.member.id));
  const rendered = assemble(compiled, messageName, channel, parts, context);
  return rendered as Extract<RenderedMessage, { channel: C }>;
}

// A run renders one message on one channel for many members: its templates are looked up once.
const byMessage = new WeakMap<CompiledMessages, Map<string, readonly CompiledTemplate[]>>();

/** The templates of a message on a channel, ready to render; throws RenderError when it has none or one is broken. */
function templatesOf(compiled: CompiledMessages, messageName: string, channel: ChannelName): readonly CompiledTemplate[] {
  let cache = byMessage.get(compiled);
  if (!cache) byMessage.set(compiled, (cache = new Map()));
  const key = `${channel}\u0000${messageName}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const templates = compiled.templates.filter((t) => t.unit.message === messageName && t.unit.channel === channel);
  if (templates.length === 0) {
    const known = compiled.templates.some((t) => t.unit.message === messageName);
    throw new RenderError(
      known ? `message "${messageName}" has no ${channel} template in patron.yaml` : `no message "${messageName}" in patron.yaml`,
    );
  }
  const broken = templates.find((t) => t.problems.length > 0);
  if (broken) {
    throw new RenderError(`${broken.unit.label}: ${broken.problems[0]?.message ?? "has a problem"} (run patron check)`, broken.unit.label);
  }
  cache.set(key, templates);
  return templates;
}

function assemble(
  compiled: CompiledMessages,
  messageName: string,
  channel: ChannelName,
  parts: ReadonlyMap<string, string>,
  context: MessageContext,
): RenderedMessage {
  const part = (name: string): string | undefined => parts.get(name);
  switch (channel) {
    case "sms":
      return { channel, body: part("body") ?? "" };
    case "email": {
      const text = part("text");
      const html = part("html");
      return {
        channel,
        subject: part("subject") ?? "",
        ...(text !== undefined && { text }),
        ...(html !== undefined && { html }),
        ...(context.unsubscribeUrl !== undefined && { unsubscribeUrl: context.unsubscribeUrl }),
      };
    }
    case "wechat": {
      const data: Record<string, string> = {};
      for (const [name, value] of parts) if (name.startsWith("data.")) data[name.slice("data.".length)] = value;
      const url = part("url");
      return { channel, templateId: compiled.wechatTemplateIds.get(messageName) ?? "", ...(url !== undefined && { url }), data };
    }
  }
}

function run(template: CompiledTemplate, input: TemplateInput, data: RenderData, memberId: string): string {
  try {
    return (template.render as NonNullable<CompiledTemplate["render"]>)(input, { data: { patron: data } });
  } catch (error) {
    throw explain(template, input, error, memberId);
  }
}

/**
 * Names the variable a failed render tripped on. Handlebars' own message ("city" not defined in
 * [object Object]) knows only the last name; its position, or failing that the first variable
 * the template uses that the member has no value for, gives the whole path.
 */
function explain(template: CompiledTemplate, input: TemplateInput, error: unknown, memberId: string): RenderError {
  const uses = template.analysis?.uses ?? [];
  const at = error as { lineNumber?: unknown; column?: unknown };
  const located = uses.find((u) => u.loc.start.line === at.lineNumber && u.loc.start.column === at.column);
  const missing = located ?? uses.find((u) => !u.guarded && !hasValue(input, u)) ?? uses.find((u) => !hasValue(input, u));
  const label = template.unit.label;
  if (missing) {
    const why =
      missing.parts[0] === "coupon" && !Object.hasOwn(input, "coupon")
        ? ": the message is sent without a coupon"
        : missing.parts[0] === "awardedPoints"
          ? ": the campaign awards no points"
          : "";
    return new RenderError(`${label}: {{${missing.path}}} has no value for member ${memberId}${why}`, label, missing.path);
  }
  return new RenderError(`${label}: ${error instanceof Error ? error.message : String(error)} (member ${memberId})`, label);
}

function hasValue(input: TemplateInput, use: VariableUse): boolean {
  let value: unknown = input;
  for (const part of use.parts) {
    if (typeof value !== "object" || value === null || dateOf(value) || !Object.hasOwn(value, part)) return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}
