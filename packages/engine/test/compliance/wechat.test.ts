import { describe, expect, it } from "vitest";
import { lint, places, sms } from "./support.js";

/*
 * W702: WeChat template messages are for service notices. A marketing message with a wechat
 * template is flagged in patron.yaml, and every campaign sending one via wechat at its `wechat`.
 */

const wechat = (name: string, purpose: "service" | "marketing", kind = "other"): string =>
  `  ${name}:\n    purpose: ${purpose}\n    sms: { body: "【小店】{{member.name}}，新品到店。回TD退订" }\n` +
  `    wechat:\n      templateId: "tpl-${name}"\n      kind: ${kind}\n      data:\n        first: "{{member.name}}，新品到店"\n`;

describe("WeChat template messages used for marketing (W702)", () => {
  it("accepts service notices by WeChat, in every region", () => {
    for (const region of ["cn", "us", "other"] as const) {
      const linted = lint(
        { region, signature: "【小店】" },
        wechat("points-change", "service", "points-change") +
          wechat("coupon-issued", "service", "coupon-issued") +
          'coupons:\n  TEN: { value: "10元", message: coupon-issued }\n',
        {
          "points.campaign": 'when points > 1000, send message "points-change" via wechat or sms\n',
          "coupon.campaign": 'campaign "coupon" {\n  when tier >= gold, send coupon "TEN" via wechat\n}\n',
        },
      );
      expect(
        linted.diagnostics.filter((d) => d.code === "W702"),
        region,
      ).toEqual([]);
    }
  });

  it("points at the wechat entry of a marketing message in patron.yaml", () => {
    const linted = lint({ region: "cn" }, sms("welcome", "【小店】欢迎。回TD退订") + wechat("spring-sale", "marketing"));
    expect(places(linted)).toEqual(["patron.yaml:33:5 W702"]);
    expect(linted.text).toBe(
      [
        'patron.yaml:33:5 warning[W702]: message "spring-sale" is marketing but has a WeChat template (kind other)',
        "  33 |     wechat:",
        "     |     ^^^^^^",
        "  help: WeChat reserves template messages for service notices (points changes, coupons issued, order status) and bans accounts that advertise through them: remove messages.spring-sale.wechat and send the offer by sms or email, or, if the message only tells members about their own account, make it purpose: service",
      ].join("\n"),
    );
  });

  it("points at the wechat of each campaign sending a marketing message that way, a coupon's and variants' included", () => {
    const linted = lint(
      { region: "us", optOutText: "Reply STOP to opt out" },
      wechat("sale-a", "marketing").replace("回TD退订", "Reply STOP to opt out") +
        wechat("sale-b", "marketing").replace("回TD退订", "Reply STOP to opt out") +
        'coupons:\n  SALE: { value: "$5", message: sale-a }\n',
      {
        "one.campaign": 'when tier >= gold, send message "sale-a" via sms or wechat\n',
        "ab.campaign": 'campaign "ab" {\n  when points > 10, send message ("sale-a" 50%, "sale-b" 50%) via WeChat\n}\n',
        "coupon.campaign": 'when points > 100, send coupon "SALE" via wechat or sms\n',
        "sms-only.campaign": 'when points > 500, send message "sale-b" via sms\n',
      },
    );
    expect(places(linted)).toEqual([
      "ab.campaign:2:67 W702",
      "coupon.campaign:1:43 W702",
      "one.campaign:1:53 W702",
      "patron.yaml:31:5 W702",
      "patron.yaml:39:5 W702",
    ]);
    expect(linted.diagnostics.filter((d) => d.file.endsWith(".campaign")).map((d) => d.message)).toEqual([
      'campaign "ab" sends marketing messages "sale-a" and "sale-b" as a WeChat template message',
      'campaign "coupon" sends coupon "SALE" with marketing message "sale-a" as a WeChat template message',
      'campaign "one" sends marketing message "sale-a" as a WeChat template message',
    ]);
    expect(linted.diagnostics[0]?.help).toMatch(/bans accounts that advertise through them: send them via sms or email, not wechat$/);
  });
});
