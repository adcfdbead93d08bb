import { describe, expect, it } from "vitest";
import { compileMessages } from "../../src/render/compile.js";
import { templateInput } from "../../src/render/context.js";
import { createEnvironment, type HandlebarsEnv } from "../../src/render/helpers.js";
import { compileSetUpOnce } from "../../src/render/set-up-once.js";
import { BASE_YAML, context, project } from "./support.js";

/*
 * Templates set up once (render/set-up-once.ts) render what Handlebars' own compile renders, call
 * after call, and fail where it fails: strict variables, prototype access, helpers' errors.
 */

const OPTIONS = { strict: true, knownHelpers: { date: true, money: true, daysLeft: true }, knownHelpersOnly: true };

const TEMPLATES = [
  "{{member.name}}，您的积分 {{points}}",
  "<p>{{member.name}} & {{business}}</p>{{{member.name}}}",
  "{{#if member.city}}来自 {{member.city}}{{else}}没有城市{{/if}}",
  '{{#unless expiringPoints}}无{{/unless}}{{money points}} {{date now "M月d日"}} {{daysLeft expiresOn}}',
];

function input(overrides: Parameters<typeof context>[0]) {
  const { config } = project(`${BASE_YAML}messages:\n  m:\n    purpose: service\n    sms: { body: "{{member.name}} {{member.city}}" }\n`);
  return templateInput(context(overrides), compileMessages(config).settings).input;
}

const DATA = { data: { patron: { region: "cn" as const, now: undefined as never } } };

function renderings(compile: (text: string) => (input: unknown, options: unknown) => string) {
  const results: string[] = [];
  for (const text of TEMPLATES) {
    const template = compile(text);
    for (const overrides of [{}, { member: { id: "m2", name: "<b>Ann</b>", city: "上海" } }, { points: 0 }]) {
      const { now } = templateInput(context(overrides), { region: "cn", timezone: "Asia/Shanghai", business: "B", fields: new Map() });
      try {
        results.push(template(input(overrides), { data: { patron: { region: "cn", now } } }));
      } catch (error) {
        results.push(`error: ${(error as Error).message}`);
      }
    }
  }
  return results;
}

describe("templates set up once", () => {
  it("render what Handlebars.compile renders, call after call, errors included", () => {
    const env = createEnvironment();
    const once = renderings((text) => compileSetUpOnce(env, text, OPTIONS));
    const plain = renderings((text) => env.compile(text, OPTIONS));
    expect(once).toEqual(plain);
    // The cases are not all the same: values, escaping, a missing city, helpers.
    expect(new Set(once).size).toBeGreaterThan(6);
    expect(once.some((r) => r.includes("&lt;b&gt;Ann&lt;/b&gt;") && r.includes("<b>Ann</b>"))).toBe(true);
  });

  it("keep strict mode and prototype access off on every call, not only the first", () => {
    const env = createEnvironment();
    const good = compileSetUpOnce(env, "{{member.name}}", { strict: true });
    for (const text of ["{{constructor}}", "{{member.constructor}}", "{{member.__proto__}}", "{{member.nothing}}"]) {
      const template = compileSetUpOnce(env, text, { strict: true });
      for (let call = 0; call < 3; call++) {
        expect(good(input({}), DATA)).toBe("王小明");
        expect(() => template(input({}), DATA), `${text}, call ${call + 1}`).toThrow();
      }
    }
  });

  it("use the helpers' render settings of each call", () => {
    const env = createEnvironment();
    const template = compileSetUpOnce(env, "{{money points}}", OPTIONS);
    const cn = template(input({ points: 1234.5 }), { data: { patron: { region: "cn", now: undefined } } });
    const us = template(input({ points: 1234.5 }), { data: { patron: { region: "us", now: undefined } } });
    expect(cn).not.toBe(us);
    expect(() => template(input({}), {})).toThrow(/without render settings/);
  });

  it("fall back to Handlebars.compile when its compiler steps are not there", () => {
    const env = createEnvironment();
    const bare = Object.assign(Object.create(env) as HandlebarsEnv, { Compiler: undefined });
    expect(compileSetUpOnce(bare, "hi {{member.name}}", { strict: true })(input({}), DATA)).toBe("hi 王小明");
  });

  it("set a template up on every call when it has no _setup to keep, rendering the same", () => {
    const env = createEnvironment();
    const template = (spec: unknown) => Object.assign(env.template(spec as never), { _setup: undefined });
    const noSetUp = Object.assign(Object.create(env) as HandlebarsEnv, { template });
    const compiled = compileSetUpOnce(noSetUp, "hi {{member.name}}{{#if member.city}} {{member.city}}{{/if}}", { strict: true });
    for (let call = 0; call < 2; call++) expect(compiled(input({}), DATA)).toBe("hi 王小明 上海");
  });
});
