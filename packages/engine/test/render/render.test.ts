import { describe, expect, it } from "vitest";
import Handlebars from "handlebars";
import { compileMessages } from "../../src/render/compile.js";
import { templateInput } from "../../src/render/context.js";
import { createEnvironment } from "../../src/render/helpers.js";
import { renderMessage, RenderError } from "../../src/render/render.js";
import { BASE_YAML, context, project } from "./support.js";

function messages(body: string, region = "cn"): string {
  return `${BASE_YAML.replace("region: cn", `region: ${region}`)}messages:\n${body}`;
}

/** Renders one SMS body written inline, for a member in the given context. */
function sms(template: string, overrides: Parameters<typeof context>[0] = {}, region = "cn"): string {
  const { config } = project(messages(`  m:\n    purpose: service\n    sms: { body: ${JSON.stringify(template)} }\n`, region));
  return renderMessage(compileMessages(config), "m", "sms", context(overrides)).body;
}

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error("expected a RenderError, but it rendered");
}

describe("strict variables", () => {
  it("renders the member's values", () => {
    expect(sms("【小店】{{member.name}}，您在{{member.city}}有{{points}}积分")).toBe("【小店】王小明，您在上海有1280积分");
  });

  it("throws, naming the template and the whole variable, for a value the member lacks, never an empty string", () => {
    const error = renderError(() => sms("【小店】{{member.name}}，欢迎来{{member.city}}", { member: { id: "M7", name: "李雷" } }));
    expect(error.message).toBe("patron.yaml messages.m.sms.body: {{member.city}} has no value for member M7");
    expect(error.variable).toBe("member.city");
    expect(error.template).toBe("patron.yaml messages.m.sms.body");
  });

  it("treats null as no value", () => {
    expect(renderError(() => sms("{{member.city}}", { member: { id: "M7", city: null } })).variable).toBe("member.city");
  });

  it("says when a coupon variable is rendered without a coupon, also inside a helper", () => {
    const bare = renderError(() => sms("券码{{coupon.code}}"));
    expect(bare.message).toBe(
      "patron.yaml messages.m.sms.body: {{coupon.code}} has no value for member M1: the message is sent without a coupon",
    );
    expect(renderError(() => sms('{{date coupon.expiresOn "M月d日"}}前有效')).variable).toBe("coupon.expiresOn");
  });

  it("says when awardedPoints is rendered for a campaign that awards none", () => {
    expect(renderError(() => sms("送您{{awardedPoints}}积分")).message).toMatch(
      /\{\{awardedPoints\}\} has no value for member M1: the campaign awards no points$/,
    );
  });

  it("lets {{#if}} show text only when a value is there", () => {
    const template = "{{#if coupon}}券码{{coupon.code}}{{else}}无券{{/if}}{{#if member.city}}，{{member.city}}{{/if}}";
    expect(sms(template, { member: { id: "M1" } })).toBe("无券");
    expect(sms(template, { coupon: { code: "HS-1", value: "20元", name: "HS-20" } })).toBe("券码HS-1，上海");
  });

  it("names the variable that failed, not an earlier {{#if}} on a field the member lacks too", () => {
    const template = "{{#if member.tier}}{{member.tier}}会员{{/if}}您好，{{member.city}}的{{member.name}}";
    const error = renderError(() => sms(template, { member: { id: "M7", name: "李雷" } }));
    expect(error.message).toBe("patron.yaml messages.m.sms.body: {{member.city}} has no value for member M7");
    // Where Handlebars says it failed wins over the first variable the member lacks: here that
    // one is in a branch not taken.
    const taken = renderError(() => sms("{{#if points}}{{else}}{{member.city}}{{/if}}{{member.tier}}", { member: { id: "M7" } }));
    expect(taken.variable).toBe("member.tier");
    // A helper given no value fails without a position: the {{#if}} before it is not the culprit.
    const helper = renderError(() => sms('{{#if member.tier}}{{/if}}{{date member.birthday "M月d日"}}', { member: { id: "M7" } }));
    expect(helper.variable).toBe("member.birthday");
  });

  it("refuses a template with a problem, pointing at patron check", () => {
    const error = renderError(() => sms("{{member.nmae}}"));
    expect(error.message).toBe('patron.yaml messages.m.sms.body: unknown variable "member.nmae" (run patron check)');
  });

  it("says which message or channel is missing", () => {
    const { config } = project(messages("  m:\n    purpose: service\n    sms: { body: hi }\n"));
    const compiled = compileMessages(config);
    expect(renderError(() => renderMessage(compiled, "nope", "sms", context())).message).toBe('no message "nope" in patron.yaml');
    expect(renderError(() => renderMessage(compiled, "m", "email", context())).message).toBe(
      'message "m" has no email template in patron.yaml',
    );
    // The renderer of a message is made once and kept: it refuses every call, not only the first.
    expect(renderError(() => renderMessage(compiled, "m", "email", context())).message).toBe(
      'message "m" has no email template in patron.yaml',
    );
  });

  it("renders each member and campaign with their own values when renderers and records are reused", () => {
    const { config } = project(messages('  m:\n    purpose: service\n    sms: { body: "{{campaign.name}} {{member.name}}" }\n'));
    const compiled = compileMessages(config);
    const render = (campaign: string, name: string): string =>
      renderMessage(compiled, "m", "sms", context({ campaign: { name: campaign }, member: { id: name, name } })).body;
    expect([render("a", "Ann"), render("b", "Bob"), render("a", "Cy"), render("a", "Ann")]).toEqual(["a Ann", "b Bob", "a Cy", "a Ann"]);
  });
});

describe("no prototype access", () => {
  for (const template of [
    "{{constructor}}",
    "{{member.constructor}}",
    "{{member.__proto__}}",
    "{{points.constructor}}",
    '{{lookup member "constructor"}}',
  ]) {
    it(`${template} is refused by the checker, so never rendered`, () => {
      const { config } = project(messages(`  m:\n    purpose: service\n    sms: { body: ${JSON.stringify(template)} }\n`));
      const compiled = compileMessages(config);
      expect(compiled.templates[0]?.problems.length).toBeGreaterThan(0);
      expect(() => renderMessage(compiled, "m", "sms", context())).toThrow(RenderError);
    });
  }

  it("finds nothing on the template input's prototype even without the checker", () => {
    // The context holds the member fields some template shows: this one shows member.name.
    const { config } = project(messages('  m:\n    purpose: service\n    sms: { body: "hi {{member.name}}" }\n'));
    const { input } = templateInput(context(), compileMessages(config).settings);
    const env = createEnvironment();
    const options = { strict: true, noEscape: true };
    expect(env.compile("{{member.name}}", options)(input)).toBe("王小明");
    for (const template of ["{{constructor}}", "{{member.constructor}}", "{{member.__proto__}}", "{{expiresOn.constructor}}"]) {
      expect(() => env.compile(template, options)(input), template).toThrow();
    }
    // The helpers Patron does not offer are gone from its environment, not from Handlebars itself.
    expect(Object.keys(env.helpers).sort()).toEqual(["blockHelperMissing", "date", "daysLeft", "helperMissing", "if", "money", "unless"]);
    expect(Object.keys(Handlebars.helpers)).toContain("lookup");
  });
});

describe("escaping", () => {
  it("escapes HTML in email HTML only: SMS, subject, email text and WeChat fields are sent as written", () => {
    const { config } = project(
      messages(`  m:
    purpose: service
    sms: { body: "{{member.name}}" }
    email:
      subject: "{{member.name}}"
      text: "{{member.name}}"
      html: "<p>{{member.name}}</p>"
    wechat:
      templateId: T1
      kind: service-notice
      url: "https://shop.example/m?store={{member.vip_store}}"
      data:
        first: "{{member.name}}"
        keyword1: "{{points}}"
`),
    );
    const compiled = compileMessages(config);
    const name = `<b>Tom & "Jerry"</b>`;
    const ctx = context({ member: { id: "M1", name, vip_store: "A&B" }, unsubscribeUrl: "https://shop.example/u?t=1" });
    expect(renderMessage(compiled, "m", "sms", ctx)).toEqual({ channel: "sms", body: name });
    expect(renderMessage(compiled, "m", "email", ctx)).toEqual({
      channel: "email",
      subject: name,
      text: name,
      html: "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>",
      unsubscribeUrl: "https://shop.example/u?t=1",
    });
    expect(renderMessage(compiled, "m", "wechat", ctx)).toEqual({
      channel: "wechat",
      templateId: "T1",
      url: "https://shop.example/m?store=A&B",
      data: { first: name, keyword1: "1280" },
    });
  });

  it("drops the final line break of an SMS template file", () => {
    const { config } = project(messages("  m:\n    purpose: service\n    sms: { file: m.sms.hbs }\n"), {
      "templates/m.sms.hbs": "你好{{member.name}}\n",
    });
    expect(renderMessage(compileMessages(config), "m", "sms", context()).body).toBe("你好王小明");
  });
});

describe("dates", () => {
  it("show in the region's style by default: cn 2026年12月22日, us Dec 22, 2026, otherwise ISO", () => {
    const ctx = { expiresOn: "2026-12-22" };
    expect(sms("{{expiresOn}}", ctx, "cn")).toBe("2026年12月22日");
    expect(sms("{{expiresOn}}", ctx, "us")).toBe("Dec 22, 2026");
    expect(sms("{{expiresOn}}", ctx, "eu")).toBe("2026-12-22");
    expect(sms("{{expiresOn}}", ctx, "other")).toBe("2026-12-22");
  });

  it("format with luxon tokens, month names in the region's language", () => {
    const ctx = { expiresOn: "2026-03-08" };
    expect(sms('{{date expiresOn "M月d日"}}', ctx)).toBe("3月8日");
    expect(sms('{{date expiresOn "MMMM d"}}', ctx, "us")).toBe("March 8");
    expect(sms('{{date expiresOn "EEEE"}}', ctx, "cn")).toBe("星期日");
  });

  it("show an instant on the member's own calendar, across the date line", () => {
    // 2026-12-21 23:30 UTC is already the 22nd in Kiritimati (UTC+14), still the 21st in Pago Pago (UTC−11).
    const at = Date.UTC(2026, 11, 21, 23, 30);
    const coupon = { code: "C1", value: "20元", name: "TEN", expiresOn: at };
    const as = (timezone: string): string =>
      sms('{{coupon.expiresOn}} {{date coupon.expiresOn "HH:mm"}}', { coupon, member: { id: "M1", timezone } });
    expect(as("Pacific/Kiritimati")).toBe("2026年12月22日 13:30");
    expect(as("Pacific/Pago_Pago")).toBe("2026年12月21日 12:30");
    expect(as("Asia/Shanghai")).toBe("2026年12月22日 07:30");
    // No valid zone of their own: the business zone.
    expect(as("Mars/Olympus")).toBe("2026年12月22日 07:30");
  });

  it("keep a calendar date (a birthday, YYYY-MM-DD) the same day in every zone", () => {
    for (const timezone of ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"]) {
      expect(sms("{{member.birthday}}", { member: { id: "M1", birthday: "1990-02-28", timezone } })).toBe("1990年2月28日");
    }
  });

  it("render date fields of members.fields and joined_at (an instant) as dates", () => {
    const member = { id: "M1", last_visit: "2026-11-02", joined_at: Date.UTC(2025, 0, 31, 20), timezone: "Asia/Shanghai" };
    expect(sms("{{member.last_visit}} {{member.joined_at}}", { member })).toBe("2026年11月2日 2025年2月1日");
  });

  it("count days left from the member's local date", () => {
    const coupon = { code: "C1", value: "20元", name: "TEN", expiresOn: "2026-12-31" };
    const now = Date.UTC(2026, 11, 22, 11); // 23 Dec in Kiritimati, 22 Dec in Pago Pago
    const left = (timezone: string): string => sms("{{daysLeft coupon.expiresOn}}", { coupon, now, member: { id: "M1", timezone } });
    expect(left("Pacific/Kiritimati")).toBe("8");
    expect(left("Pacific/Pago_Pago")).toBe("9");
    expect(sms("{{daysLeft expiresOn}}", { expiresOn: "2026-12-01", now })).toBe("0"); // past: never negative
  });
});

describe("money", () => {
  it("shows an amount with the region's currency", () => {
    expect(sms("{{money 20}}")).toBe("¥20.00");
    expect(sms("{{money 1234.5}}", {}, "us")).toBe("$1,234.50");
    expect(sms("{{money 20}}", {}, "eu")).toBe("€20.00");
    expect(sms("{{money 20}}", {}, "other")).toBe("20.00");
    expect(sms('{{money "-20"}}')).toBe("-¥20.00");
    expect(sms("{{money points}}")).toBe("¥1,280.00");
  });

  it("takes numbers only: text is refused by the checker, bad data when rendering", () => {
    expect(renderError(() => sms("{{money member.vip_store}}")).message).toBe(
      "patron.yaml messages.m.sms.body: money takes a number; member.vip_store is text (run patron check)",
    );
    expect(renderError(() => sms("{{money member.points}}", { member: { id: "M1", points: "lots" } })).message).toBe(
      'patron.yaml messages.m.sms.body: money: "lots" is not an amount (member M1)',
    );
  });
});
