import type { TemplateDelegate } from "handlebars";
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
  return messageRenderer(compiled, messageName, channel)(context) as Extract<RenderedMessage, { channel: C }>;
}

/** Renders one message on one channel for one member's context. */
export type MessageRenderer = (context: MessageContext) => RenderedMessage;

/**
 * Renders one message on one channel for one member's context as the JSON text of what its
 * MessageRenderer gives (the outbox's content), from the templates' JSON forms (json-form.ts).
 */
export type MessageJsonRenderer = (context: MessageContext) => string;

// A run renders one message on one channel for many members: what does not depend on the member
// (which templates, how their parts make the message) is worked out once per message and channel.
type Cache<R> = WeakMap<CompiledMessages, Record<ChannelName, Map<string, R>>>;
const renderers: Cache<MessageRenderer> = new WeakMap();
const jsonRenderers: Cache<MessageJsonRenderer> = new WeakMap();

function cached<R>(
  cache: Cache<R>,
  compiled: CompiledMessages,
  messageName: string,
  channel: ChannelName,
  make: (compiled: CompiledMessages, messageName: string, channel: ChannelName) => R,
): R {
  let byChannel = cache.get(compiled);
  if (!byChannel) cache.set(compiled, (byChannel = { sms: new Map(), email: new Map(), wechat: new Map() }));
  const forChannel = byChannel[channel];
  let renderer = forChannel.get(messageName);
  if (!renderer) forChannel.set(messageName, (renderer = make(compiled, messageName, channel)));
  return renderer;
}

/**
 * The renderer of a message on a channel, made once per compiled templates. A message without a
 * template on the channel, or with a broken one, gets a renderer that throws its RenderError at
 * every call, as rendering it would.
 */
export function messageRenderer(compiled: CompiledMessages, messageName: string, channel: ChannelName): MessageRenderer {
  return cached(renderers, compiled, messageName, channel, makeRenderer);
}

/** As messageRenderer, rendering the content's JSON text. */
export function messageJsonRenderer(compiled: CompiledMessages, messageName: string, channel: ChannelName): MessageJsonRenderer {
  return cached(jsonRenderers, compiled, messageName, channel, makeJsonRenderer);
}

/**
 * A message's templates on a channel rendered for a context, each by its delegate in `forms`
 * (the templates' own, or their JSON forms): the texts in template order.
 */
function partsRenderer(
  compiled: CompiledMessages,
  templates: readonly CompiledTemplate[],
  forms: readonly TemplateDelegate[],
): (context: MessageContext) => string[] {
  const { settings } = compiled;
  return (context) => {
    const { input, now } = templateInput(context, settings);
    const options = { data: { patron: { region: settings.region, now } satisfies RenderData } };
    const texts: string[] = [];
    for (let i = 0; i < templates.length; i++)
      texts.push(run(templates[i] as CompiledTemplate, forms[i] as TemplateDelegate, input, options, context.member.id));
    return texts;
  };
}

/** The message's templates on the channel, or a renderer throwing why there are none to render. */
function templatesOrThrower(
  compiled: CompiledMessages,
  messageName: string,
  channel: ChannelName,
): readonly CompiledTemplate[] | (() => never) {
  try {
    return templatesOf(compiled, messageName, channel);
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

function makeRenderer(compiled: CompiledMessages, messageName: string, channel: ChannelName): MessageRenderer {
  const templates = templatesOrThrower(compiled, messageName, channel);
  if (typeof templates === "function") return templates;
  // templatesOf returns only templates without problems: each has its render.
  const render = partsRenderer(
    compiled,
    templates,
    templates.map((t) => t.render as TemplateDelegate),
  );
  const at = (part: string): number => templates.findIndex((t) => t.unit.part === part);
  switch (channel) {
    case "sms": {
      const body = at("body");
      return (context) => ({ channel, body: render(context)[body] ?? "" });
    }
    case "email": {
      const [subject, text, html] = [at("subject"), at("text"), at("html")];
      return (context) => {
        const parts = render(context);
        return {
          channel,
          subject: parts[subject] ?? "",
          ...(text >= 0 && { text: parts[text] as string }),
          ...(html >= 0 && { html: parts[html] as string }),
          ...(context.unsubscribeUrl !== undefined && { unsubscribeUrl: context.unsubscribeUrl }),
        };
      };
    }
    case "wechat": {
      const templateId = compiled.wechatTemplateIds.get(messageName) ?? "";
      const url = at("url");
      const fields = templates.flatMap((t, i) =>
        t.unit.part.startsWith("data.") ? [[t.unit.part.slice("data.".length), i] as const] : [],
      );
      return (context) => {
        const parts = render(context);
        const data: Record<string, string> = {};
        for (const [name, i] of fields) data[name] = parts[i] as string;
        return { channel, templateId, ...(url >= 0 && { url: parts[url] as string }), data };
      };
    }
  }
}

/**
 * The JSON renderer: the same keys, in the same order, as JSON.stringify of makeRenderer's message,
 * around the texts of the templates' JSON forms. Without JSON forms (see compile.ts), the
 * message is rendered and stringified.
 */
function makeJsonRenderer(compiled: CompiledMessages, messageName: string, channel: ChannelName): MessageJsonRenderer {
  const templates = templatesOrThrower(compiled, messageName, channel);
  if (typeof templates === "function") return templates;
  if (templates.some((t) => t.jsonForm === undefined)) {
    const render = makeRenderer(compiled, messageName, channel);
    return (context) => JSON.stringify(render(context));
  }
  const render = partsRenderer(
    compiled,
    templates,
    templates.map((t) => (t.jsonForm as () => TemplateDelegate)()),
  );
  const at = (part: string): number => templates.findIndex((t) => t.unit.part === part);
  switch (channel) {
    case "sms": {
      const body = at("body");
      return (context) => `{"channel":"sms","body":"${render(context)[body] ?? ""}"}`;
    }
    case "email": {
      const [subject, text, html] = [at("subject"), at("text"), at("html")];
      return (context) => {
        const parts = render(context);
        let json = `{"channel":"email","subject":"${parts[subject] ?? ""}"`;
        if (text >= 0) json += `,"text":"${parts[text] as string}"`;
        if (html >= 0) json += `,"html":"${parts[html] as string}"`;
        if (context.unsubscribeUrl !== undefined) json += `,"unsubscribeUrl":${JSON.stringify(context.unsubscribeUrl)}`;
        return `${json}}`;
      };
    }
    case "wechat": {
      const head = `{"channel":"wechat","templateId":${JSON.stringify(compiled.wechatTemplateIds.get(messageName) ?? "")}`;
      const url = at("url");
      const fields = new Map<string, number>();
      templates.forEach((t, i) => {
        if (t.unit.part.startsWith("data.")) fields.set(t.unit.part.slice("data.".length), i);
      });
      // In the order JSON.stringify gives an object's keys (integer-like names first).
      const probe: Record<string, true> = {};
      for (const name of fields.keys()) probe[name] = true;
      const order = Object.keys(probe).map((name) => [JSON.stringify(name), fields.get(name) as number] as const);
      return (context) => {
        const parts = render(context);
        let json = head;
        if (url >= 0) json += `,"url":"${parts[url] as string}"`;
        json += `,"data":{`;
        for (let k = 0; k < order.length; k++) {
          const [name, i] = order[k] as (typeof order)[number];
          json += `${k === 0 ? "" : ","}${name}:"${parts[i] as string}"`;
        }
        return `${json}}}`;
      };
    }
  }
}

/** The templates of a message on a channel, ready to render; throws RenderError when it has none or one is broken. */
function templatesOf(compiled: CompiledMessages, messageName: string, channel: ChannelName): readonly CompiledTemplate[] {
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
  return templates;
}

/** Renders `template` by `form` (its render or JSON form), naming what failed when it fails. */
function run(
  template: CompiledTemplate,
  form: TemplateDelegate,
  input: TemplateInput,
  options: { data: { patron: RenderData } },
  memberId: string,
): string {
  try {
    return form(input, options);
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
  const missing = located ?? uses.find((u) => !u.guarded && !canRender(input, u)) ?? uses.find((u) => !hasValue(input, u.parts));
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

/** Whether a use cannot fail: its value is there, or it is a condition and its groups are. */
function canRender(input: TemplateInput, use: VariableUse): boolean {
  return hasValue(input, use.condition ? use.parts.slice(0, -1) : use.parts);
}

function hasValue(input: TemplateInput, parts: readonly string[]): boolean {
  let value: unknown = input;
  for (const part of parts) {
    if (typeof value !== "object" || value === null || dateOf(value) || !Object.hasOwn(value, part)) return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}
