import { describe, expect, it } from "vitest";
import { lint, places, sms } from "./support.js";

/*
 * W703: a campaign sending marketing messages with no limit of its own while patron.yaml sets
 * no frequencyCap. The region does not matter: the rule is about members, not carriers.
 */

const MESSAGES =
  sms("news", "【小店】新品到店。回TD退订 Reply STOP to opt out") +
  sms("points", "【小店】积分已到账", "service") +
  'coupons:\n  TEN: { value: "10元", message: points }\n  PROMO: { value: "5元", message: news }\n';

const CAMPAIGNS = {
  "bare.campaign": 'when tier >= gold, send message "news" via sms\n',
  "block.campaign": '# news for gold members\ncampaign "block" {\n  holdout 10%\n  when tier >= gold, send message "news" via sms\n}\n',
  "coupon.campaign": 'campaign "coupon" {\n  when points > 100, send coupon "PROMO" via sms\n}\n',
  "limited.campaign": 'campaign "limited" {\n  limit once per member\n  when tier >= gold, send message "news" via sms\n}\n',
  "service.campaign": 'campaign "service" {\n  when points > 100, send message "points" via sms and send coupon "TEN" via sms\n}\n',
};

describe("marketing campaigns with no limit and no frequency cap (W703)", () => {
  for (const region of ["cn", "us", "other"] as const) {
    it(`warns on the campaign's name, or on a bare sentence's when (region ${region})`, () => {
      const linted = lint({ region, frequencyCap: false }, MESSAGES, CAMPAIGNS);
      expect(places(linted)).toEqual(["bare.campaign:1:1 W703", "block.campaign:2:10 W703", "coupon.campaign:1:10 W703"]);
    });
  }

  it("says what to add and where", () => {
    const linted = lint({ region: "cn", frequencyCap: false }, MESSAGES, CAMPAIGNS);
    expect(linted.text.split("\n\n").slice(0, 2)).toEqual([
      [
        'bare.campaign:1:1 warning[W703]: campaign "bare" sends marketing message "news" but has no limit, and patron.yaml has no frequencyCap',
        '  1 | when tier >= gold, send message "news" via sms',
        "    | ^^^^",
        "  help: a member who still matches is sent the campaign again at every run: add `limit once per member every 30 days` on a line above the when-sentence, or cap all campaigns together with `frequencyCap: { messages: 2, days: 7 }` in patron.yaml",
      ].join("\n"),
      [
        'block.campaign:2:10 warning[W703]: campaign "block" sends marketing message "news" but has no limit, and patron.yaml has no frequencyCap',
        '  2 | campaign "block" {',
        "    |          ^^^^^^^",
        "  help: a member who still matches is sent the campaign again at every run: add `limit once per member every 30 days` to the campaign, or cap all campaigns together with `frequencyCap: { messages: 2, days: 7 }` in patron.yaml",
      ].join("\n"),
    ]);
    expect(linted.diagnostics[2]?.message).toBe(
      'campaign "coupon" sends coupon "PROMO" with marketing message "news" but has no limit, and patron.yaml has no frequencyCap',
    );
  });

  it("is quiet when patron.yaml sets a frequencyCap", () => {
    expect(lint({ region: "cn", frequencyCap: true }, MESSAGES, CAMPAIGNS).diagnostics).toEqual([]);
  });
});
