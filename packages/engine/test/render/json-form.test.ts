import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMessages } from "../../src/render/compile.js";
import { templateInput, type MessageContext } from "../../src/render/context.js";
import { createEnvironment } from "../../src/render/helpers.js";
import { jsonFormCompilers } from "../../src/render/json-form.js";
import { messageJsonRenderer, messageRenderer } from "../../src/render/render.js";
import { compileSetUpOnce } from "../../src/render/set-up-once.js";
import { BASE_YAML, context, project } from "./support.js";

/*
 * A template's JSON form (render/json-form.ts) renders what JSON.stringify makes of the template's
 * text: static text, escaped and unescaped values, blocks, helpers, one-statement templates; and
 * fails where the template fails, with the same error. A message's JSON renderer gives the
 * JSON.stringify of its message renderer's message.
 */

const KNOWN = { if: true, unless: true, date: true, money: true, daysLeft: true };

const TEMPLATES: readonly (readonly [string, boolean])[] = [
  ["plain text only", false],
  ['quotes " and \\ backslashes, a\ttab,\r\nlines, \u0001 \u2028 </script>', false],
  ["{{member.name}}", false],
  ["{{member.name}}", true],
  ["【店】{{member.name}}，您有{{points}}积分{{#if member.tier}}（{{member.tier}}会员）{{/if}}。", false],
  ['<p class="x">{{member.name}} & {{{member.name}}}</p>\n<a href="{{unsubscribeUrl}}">退订</a>', true],
  ['{{#if member.city}}"{{member.city}}"{{else}}\\无{{/if}}{{#unless expiringPoints}}none{{/unless}}', true],
  ["{{#if member.tier}}{{#if member.city}}{{member.tier}}\n{{member.city}}{{/if}}{{/if}}", false],
  ['{{money points}} {{date expiresOn "M月d日"}} {{daysLeft expiresOn}} {{expiresOn}}', true],
  ["{{member.nothing}} never renders", false],
];

function input(ctx: MessageContext) {
  const { config } = project(
    `${BASE_YAML}messages:\n  m:\n    purpose: service\n    sms: { body: "{{member.name}} {{member.city}} {{member.tier}}" }\n`,
  );
  const settings = compileMessages(config).settings;
  const { input: values, now } = templateInput(ctx, settings);
  return { values, options: { data: { patron: { region: "cn" as const, now } } } };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const outcome = (render: () => string): { text: string } | { error: string } => {
  try {
    return { text: render() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

// Values a member may bring: whatever a string can hold, surrogate pairs and lone halves included.
const value = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom('"', "\\", "\n", "\u0000", "😀", "\ud800", "\udc00", "a\udfffb", "<b>&amp;</b>", "=`'"),
);

describe("a template's JSON form", () => {
  const env = createEnvironment();
  const json = jsonFormCompilers(env);
  if (!json) throw new Error("this Handlebars exposes no compilers");
  const compiled = TEMPLATES.map(([text, escape]) => {
    const options = { strict: true, noEscape: !escape, knownHelpers: KNOWN, knownHelpersOnly: true };
    return { text, plain: compileSetUpOnce(env, text, options), json: compileSetUpOnce(env, text, options, json) };
  });

  it("renders JSON.stringify of the template's text, and fails with the same error", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(value, value, fc.option(value), fc.integer({ min: -5, max: 100_000 }), (name, city, tier, points) => {
        const member = { id: "M1", name, city, ...(tier === null ? {} : { tier }), timezone: "Asia/Shanghai" };
        const { values, options } = input(context({ member, points, unsubscribeUrl: `https://x.example/u?m=${name}&c=email` }));
        for (const t of compiled) {
          const plain = outcome(() => t.plain(values, options));
          const asJson = outcome(() => t.json(values, options));
          if ("error" in plain) {
            expect(asJson, t.text).toEqual(plain);
            seen.add(`error: ${plain.error}`);
            continue;
          }
          expect("text" in asJson, t.text).toBe(true);
          const text = (asJson as { text: string }).text;
          // Byte for byte, but where a surrogate pair is split across two values (then it parses back the same).
          if (!/[\ud800-\udfff]/.test(plain.text)) expect(text, t.text).toBe(JSON.stringify(plain.text).slice(1, -1));
          expect(JSON.parse(`"${text}"`), t.text).toBe(plain.text);
          // …and as JSON.stringify, never a lone surrogate as it is (SQLite would store it as invalid UTF-8).
          expect(LONE_SURROGATE.test(text), t.text).toBe(false);
          seen.add(t.text);
        }
      }),
      { numRuns: 150 },
    );
    // Every template rendered, and only the strict one failed, always.
    const rendered = [...new Set(TEMPLATES.map(([text]) => text))].filter((text) => !text.includes("nothing"));
    expect([...seen].filter((s) => !s.startsWith("error")).sort()).toEqual(rendered.sort());
    expect([...seen].filter((s) => s.startsWith("error"))).toEqual([expect.stringContaining('"nothing" not defined')]);
  });
});

describe("a message's JSON renderer", () => {
  const yaml = `${BASE_YAML}messages:
  points:
    purpose: service
    sms: { body: "{{member.name}}，\\"{{points}}\\" 积分" }
    email:
      subject: "{{member.name}} \\\\ 月结单"
      text: "{{member.name}}\\n{{points}}"
      html: "<p>{{member.name}}</p><a href=\\"{{unsubscribeUrl}}\\">退订</a>"
    wechat:
      templateId: "T-\\"1\\""
      kind: points-change
      url: "https://x.example/{{member.id}}"
      data:
        first: "{{member.name}}"
        "2": "{{points}}"
        remark: "谢谢"
  short:
    purpose: service
    email:
      subject: "only HTML for {{member.name}}"
      html: "<b>{{member.name}}</b>"
`;
  const { config } = project(yaml);
  const compiled = compileMessages(config);

  it("gives the JSON text of the message renderer's message, keys in the same order", () => {
    const cases: [string, "sms" | "email" | "wechat"][] = [
      ["points", "sms"],
      ["points", "email"],
      ["points", "wechat"],
      ["short", "email"],
    ];
    for (const member of [context().member, { ...context().member, name: 'A "quoted" \\ name\n😀' }])
      for (const unsubscribeUrl of [undefined, "https://x.example/u?m=M1&c=email&t=abc"])
        for (const [message, channel] of cases) {
          // The points e-mail shows the link: it has one whenever it is rendered.
          if (unsubscribeUrl === undefined && message === "points" && channel === "email") continue;
          const ctx = context({ member, ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }) });
          const expected = JSON.stringify(messageRenderer(compiled, message, channel)(ctx));
          expect(messageJsonRenderer(compiled, message, channel)(ctx), `${message} on ${channel}`).toBe(expected);
        }
  });

  it("compiles a template's JSON form once, when first asked for", () => {
    const fresh = compileMessages(config);
    for (const t of fresh.templates) expect(t.jsonForm?.()).toBe(t.jsonForm?.());
  });

  it("stringifies the rendered message when the templates have no JSON form", () => {
    const withoutJson = { ...compiled, templates: compiled.templates.map((t) => ({ ...t, jsonForm: undefined })) };
    const ctx = context({ unsubscribeUrl: "https://x.example/u?m=M1" });
    for (const channel of ["sms", "email", "wechat"] as const)
      expect(messageJsonRenderer(withoutJson, "points", channel)(ctx)).toBe(
        JSON.stringify(messageRenderer(compiled, "points", channel)(ctx)),
      );
  });

  it("throws the message renderer's error for a message it cannot render", () => {
    const ctx = context();
    expect(() => messageJsonRenderer(compiled, "short", "sms")(ctx)).toThrow(/has no sms template/);
    expect(() => messageJsonRenderer(compiled, "nope", "email")(ctx)).toThrow(/no message "nope"/);
  });
});
