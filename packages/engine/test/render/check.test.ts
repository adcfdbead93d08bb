import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { DIAGNOSTIC_CODES, renderText } from "@patron/dsl";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../../../test/support/golden.js";
import { checkTemplates, type TemplateCheckResult } from "../../src/render/check.js";
import { BASE_YAML, project, type Project } from "./support.js";

/*
 * Template mistakes a marketer makes, each with exactly what `patron check` prints for it
 * (golden/check/NAME.txt): is the caret under the right characters, in the template file or in
 * patron.yaml, is the message true, does the help say what to do?
 */

const GOLDEN = join(import.meta.dirname, "golden/check");

interface Case {
  /** patron.yaml after BASE_YAML: messages (and coupons). */
  readonly yaml: string;
  /** Template and campaign files. */
  readonly files?: Readonly<Record<string, string>>;
  /** Applied to the project before checking (e.g. a template file deleted after loading). */
  readonly after?: (p: Project) => void;
  /** patron.yaml's settings before messages, when not BASE_YAML. */
  readonly base?: string;
}

const sms = (name: string, body: string, purpose = "service"): string =>
  `  ${name}:\n    purpose: ${purpose}\n    sms: { body: ${JSON.stringify(body)} }\n`;
const smsFile = (name: string, file: string): string => `  ${name}:\n    purpose: service\n    sms: { file: ${file} }\n`;

const CASES: Readonly<Record<string, Case>> = {
  "syntax-unclosed-placeholder": {
    yaml: `messages:\n${smsFile("welcome", "welcome.sms.hbs")}`,
    files: { "templates/welcome.sms.hbs": "【小店】{{member.name}，欢迎！" },
  },
  "syntax-unclosed-block": {
    yaml: `messages:\n  news:\n    purpose: service\n    email:\n      subject: "积分提醒"\n      htmlFile: news.html.hbs\n`,
    files: {
      "templates/news.html.hbs": "<p>{{member.name}}</p>\n{{#if expiresOn}}\n<p>{{expiringPoints}} 积分将于 {{expiresOn}} 到期</p>\n",
    },
  },
  "syntax-stray-close": {
    yaml: `messages:\n${sms("thanks", "谢谢{{/if}}")}`,
  },
  "syntax-mismatched-close": {
    yaml: `messages:\n${smsFile("thanks", "thanks.sms.hbs")}`,
    files: { "templates/thanks.sms.hbs": "谢谢{{#if coupon}}，券码{{coupon.code}}{{/unless}}" },
  },
  "syntax-in-subject": {
    yaml: `messages:\n  news:\n    purpose: service\n    email:\n      subject: '{{member.name}}，{{{points}}积分'\n      text: "hi"\n`,
  },
  "unknown-variables": {
    yaml: `messages:\n${smsFile("welcome", "welcome.sms.hbs")}`,
    files: {
      "templates/welcome.sms.hbs":
        "{{member.nmae}} {{memebr.city}} {{coupon.expires}} {{expiringpoints}} {{member.name.first}} {{member.skin}} {{constructor}}",
    },
  },
  "unknown-helpers": {
    yaml: `messages:\n${smsFile("welcome", "welcome.sms.hbs")}`,
    files: { "templates/welcome.sms.hbs": '{{mony points}} {{formatDate expiresOn}} {{member.name "先生"}}\n{{#each member}}x{{/each}}' },
  },
  "unsupported-expressions": {
    yaml: `messages:\n${smsFile("welcome", "welcome.sms.hbs")}`,
    files: {
      "templates/welcome.sms.hbs": [
        "{{> footer}} {{@root.points}} {{../points}} {{this}} {{member}}",
        "{{#member.city}}x{{/member.city}} {{money coupon.value}} {{date points}} {{date expiresOn format}}",
        '{{#if}}x{{/if}} {{date}} {{money points currency="USD"}} {{#money points}}x{{/money}} {{if points}}',
      ].join("\n"),
    },
  },
  "coupon-never-carried": {
    yaml: `messages:\n${sms("thanks", "【小店】感谢！券码{{coupon.code}}")}`,
  },
  "coupon-sent-without-one": {
    yaml: `messages:\n${sms("coupon-issued", "【小店】券码{{coupon.code}}，{{coupon.value}}")}coupons:\n  TEN: { value: "10元", message: coupon-issued, validDays: 14 }\n`,
    files: {
      "vip.campaign": 'campaign "vip" {\n  when tier >= gold, send message "coupon-issued" via sms\n}\n',
      "again.campaign": 'when points > 100, send message "coupon-issued" via sms\n',
      "fine.campaign": 'when points > 1000, send coupon "TEN" via sms\n',
    },
  },
  "coupon-never-expires": {
    yaml: `messages:\n${sms("coupon-issued", '【小店】券码{{coupon.code}}，{{date coupon.expiresOn "M月d日"}}前有效')}coupons:\n  TEN: { value: "10元", message: coupon-issued, validDays: 14 }\n  FOREVER: { value: "5元", message: coupon-issued }\n`,
  },
  "awarded-points-without-award": {
    yaml: `messages:\n${sms("thanks", "【小店】感谢推荐！{{awardedPoints}}积分已到账")}`,
    files: {
      "referral.campaign": 'when referred at least 1 member within 30 days, send message "thanks" via sms\n',
      "awarded.campaign": 'when referred at least 2 members within 30 days, award 100 points and send message "thanks" via sms\n',
    },
  },
  "unsubscribe-outside-email": {
    yaml: `messages:\n${sms("news", "【小店】新品到店，退订：{{unsubscribeUrl}}", "marketing")}`,
  },
  "unsubscribe-not-configured": {
    base: BASE_YAML.replace("    unsubscribeUrl: https://shop.example/unsubscribe\n", ""),
    yaml: `messages:\n  news:\n    purpose: marketing\n    email:\n      subject: "新品到店"\n      textFile: news.txt.hbs\n`,
    files: { "templates/news.txt.hbs": "新品到店。\n\n退订：{{unsubscribeUrl}}\n" },
  },
  "long-sms": {
    yaml: `messages:\n${smsFile("spring-sale", "spring-sale.sms.hbs")}`,
    files: {
      "templates/spring-sale.sms.hbs":
        "【小店】{{member.name}}，春季焕新季开始啦！全场护肤品满300减50，彩妆第二件半价，会员积分双倍，活动时间3月1日至3月15日，详情请到店咨询。回TD退订",
    },
  },
  "long-sms-gsm": {
    base: BASE_YAML.replace("region: cn", "region: us"),
    yaml: `messages:\n${sms("spring-sale", "Hi {{member.name}}! Spring sale at Mini Shop: 20% off all skincare, 2nd lipstick half price & double points for {{member.tier}} members, 1-15 March in all stores. Reply STOP to opt out", "marketing")}`,
  },
  "template-file-gone": {
    yaml: `messages:\n${smsFile("welcome", "welcome.sms.hbs")}`,
    files: { "templates/welcome.sms.hbs": "【小店】欢迎" },
    after: (p) => rmSync(join(p.dir, "templates/welcome.sms.hbs")),
  },
};

function report(c: Case): string {
  const p = project((c.base ?? BASE_YAML) + c.yaml, c.files);
  c.after?.(p);
  const result = checkTemplates(p.config, p.campaigns, { displayPath: (abs) => relative(p.dir, abs) });
  return show(result);
}

function show(result: TemplateCheckResult): string {
  const sources = new Map(result.sources.map((s) => [s.path, s]));
  const diagnostics = result.diagnostics.map((d) => `${renderText(d, (path) => sources.get(path))}\n`);
  const sms = result.sms.map(
    (r) =>
      `sms ${r.message}: ${r.file}:${r.line} ${r.encoding}, ${r.length} characters, ${r.segments} segment${r.segments === 1 ? "" : "s"}${r.coupon ? ` (coupon ${r.coupon})` : ""}`,
  );
  return [...diagnostics, ...sms].join("\n");
}

describe("template mistakes (golden)", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => expectGolden(join(GOLDEN, `${name}.txt`), report(c)));
  }

  it("shows every template code at least once", () => {
    const shown = new Set(
      readdirSync(GOLDEN).flatMap((f) =>
        [...readFileSync(join(GOLDEN, f), "utf8").matchAll(/(?:error|warning)\[([EW]\d{3})\]/g)].map((m) => m[1]),
      ),
    );
    const codes = Object.keys(DIAGNOSTIC_CODES).filter((c) => /^[EW]6/.test(c));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c) => !shown.has(c))).toEqual([]);
  });
});

describe("checking templates", () => {
  it("finds nothing wrong with guarded uses, or with templates of channels a campaign does not send on", () => {
    const p = project(
      `${BASE_YAML}messages:
  thanks:
    purpose: service
    sms: { body: "【小店】谢谢{{#if awardedPoints}}，{{awardedPoints}}积分已到账{{/if}}{{#if coupon}}，券码{{coupon.code}}{{/if}}" }
    email:
      subject: "谢谢，{{awardedPoints}}积分已到账"
      text: "券码 {{coupon.code}}"
coupons:
  TEN: { value: "10元", message: thanks, validDays: 14 }
`,
      { "referral.campaign": 'when referred at least 1 member within 30 days, send message "thanks" via sms\n' },
    );
    // The email template needs a coupon and points, but the only campaign sends it by SMS.
    expect(checkTemplates(p.config, p.campaigns).diagnostics).toEqual([]);
  });

  it("points at an inline template's characters however it is quoted, and at its key when it cannot", () => {
    const p = project(
      `${BASE_YAML}messages:
  a:
    purpose: service
    sms: { body: "双引号 {{member.nmae}}" }
  b:
    purpose: service
    sms:
      body: '单引号 {{member.nmae}}'
  c:
    purpose: service
    sms:
      body: 无引号 {{member.nmae}}
  d:
    purpose: service
    sms:
      body: |
        块 {{member.nmae}}
  e:
    purpose: service
    sms: { body: "转义\\t{{member.nmae}}" }
`,
    );
    const at = checkTemplates(p.config, p.campaigns).diagnostics.map((d) => [d.span.start.line, d.span.start.column, d.span.end.column]);
    expect(at).toEqual([
      [28, 25, 36], // "…": the variable itself
      [32, 20, 31], // '…'
      [36, 19, 30], // plain
      [40, 7, 11], // a block scalar: its key
      [44, 12, 16], // an escape sequence moves the characters: the key
    ]);
  });

  it("measures the SMS of the example repository and finds it clean", () => {
    const dir = join(import.meta.dirname, "../../../../campaigns");
    const p = projectAt(dir);
    const result = checkTemplates(p.config, p.campaigns);
    expect(result.diagnostics).toEqual([]);
    expect(result.sms.map((r) => [r.message, r.encoding, r.segments])).toContainEqual(["welcome", "UCS-2", 1]);
    expect(result.sms.every((r) => r.segments === 1)).toBe(true);
  });
});

import { loadConfig, toCheckEnvironment } from "@patron/config";
import { check, parse, SourceFile } from "@patron/dsl";

function projectAt(dir: string): { config: NonNullable<ReturnType<typeof loadConfig>["config"]>; campaigns: Project["campaigns"] } {
  const { config } = loadConfig(join(dir, "patron.yaml"));
  if (!config) throw new Error(`${dir}/patron.yaml does not load`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".campaign") || f.endsWith(".segments"))
    .map((f) => parse(new SourceFile(f, readFileSync(join(dir, f), "utf8"))));
  return { config, campaigns: check({ files, env: toCheckEnvironment(config) }).campaigns };
}
