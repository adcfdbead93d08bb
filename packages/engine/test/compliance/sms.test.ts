import { describe, expect, it } from "vitest";
import { lint, places, sms, smsFile } from "./support.js";

/*
 * E701 (sign name, region cn, every SMS) and W701 (opt-out text, marketing SMS), looked for in
 * the template's own text: not in what variables show, not only inside {{#if}}.
 */

const CN = { region: "cn", signature: "【小店】", optOutText: "回TD退订" } as const;

describe("the sign name in China (E701)", () => {
  it("accepts the configured sign name at the start or at the end, before or after the opt-out text", () => {
    const messages = [
      sms("start", "【小店】{{member.name}}，新品到店。回TD退订"),
      sms("end", "{{member.name}}，您的积分已到账。【小店】", "service"),
      sms("end-then-opt-out", "{{member.name}}，新品到店。【小店】回TD退订"),
      sms("opt-out-then-end", "{{member.name}}，新品到店，回TD退订。【小店】"),
      sms("end-then-opt-out-configured-case", "{{member.name}}，新品到店 【小店】 回td退订 "),
      sms("spaces-and-comment", "{{!-- 营销 --}}  【小店】{{member.name}}，新品到店 回TD退订"),
      sms("service", "【小店】{{member.name}}，您的积分已到账", "service"),
    ].join("");
    expect(lint(CN, messages).diagnostics).toEqual([]);
  });

  it("is an error on any SMS without it, service messages included, pointing at the template's start", () => {
    const linted = lint(CN, smsFile("points", "service"), { "templates/points.sms.hbs": "{{member.name}}，您的积分已到账\n" });
    expect(places(linted)).toEqual(["templates/points.sms.hbs:1:1 E701"]);
    expect(linted.diagnostics[0]?.severity).toBe("error");
    expect(linted.text).toBe(
      [
        'templates/points.sms.hbs:1:1 error[E701]: the SMS of message "points" does not carry the sign name 【小店】 (channels.sms.signature)',
        "  1 | {{member.name}}，您的积分已到账",
        "    | ^",
        "  help: Chinese carriers reject an SMS without the sign name registered for the account: start the template with 【小店】 (Patron adds nothing to an SMS; docs/templates.md#sign-name-and-opt-out-text)",
      ].join("\n"),
    );
  });

  it("does not count text a variable shows, even {{business}}", () => {
    const linted = lint({ ...CN, signature: "【Mini Shop】" }, sms("news", "{{business}}：新品到店。回TD退订"));
    expect(places(linted)).toEqual(["patron.yaml:31:19 E701"]);
  });

  it("points at a sign name written in the middle", () => {
    const linted = lint(CN, sms("news", "{{member.name}}，【小店】新品到店。回TD退订"));
    expect(places(linted)).toEqual(["patron.yaml:31:35 E701"]);
    expect(linted.diagnostics[0]?.message).toBe('the sign name 【小店】 is in the middle of the SMS of message "news"');
    expect(linted.diagnostics[0]?.span.end.column).toBe(39);
  });

  it("points at a sign name only inside {{#if}}", () => {
    const linted = lint(CN, sms("news", "{{#if coupon}}【小店】{{/if}}{{member.name}}，新品到店。回TD退订"));
    expect(places(linted)).toEqual(["patron.yaml:31:33 E701"]);
    expect(linted.diagnostics[0]?.message).toBe(
      'the sign name 【小店】 is only inside {{#if coupon}}: members for whom it is false get the SMS of message "news" without it',
    );
  });

  it("without channels.sms.signature, accepts any 【…】 at the start or end and suggests the business name", () => {
    const fine = lint({ region: "cn" }, sms("a", "【Mini】新品到店，回TD退订") + sms("b", "新品到店，回T退订【小店】"));
    expect(fine.diagnostics).toEqual([]);
    const linted = lint({ region: "cn" }, sms("news", "新品到店【小店】，{{member.name}}。回TD退订"));
    expect(places(linted)).toEqual(["patron.yaml:29:23 E701"]);
    const missing = lint({ region: "cn" }, sms("news", "新品到店，回TD退订"));
    expect(missing.diagnostics[0]?.message).toBe('the SMS of message "news" does not start or end with a sign name in 【】');
    expect(missing.diagnostics[0]?.help).toContain("e.g. 【Mini Shop】, and set channels.sms.signature in patron.yaml");
  });

  it("is not asked for outside China, even when a signature is configured", () => {
    for (const region of ["us", "eu", "other"] as const) {
      const linted = lint({ region, signature: "[Mini]" }, sms("notice", "Your points have arrived", "service"));
      expect(linted.diagnostics, region).toEqual([]);
    }
  });

  it("leaves a template that does not parse to the template check (E601)", () => {
    expect(lint(CN, sms("news", "{{member.name}，新品")).diagnostics).toEqual([]);
  });
});

describe("the opt-out text of marketing SMS (W701)", () => {
  it("China: the configured text, in any letter case, anywhere outside {{#if}}", () => {
    const messages = sms("a", "【小店】回td退订：{{member.name}}，新品到店") + sms("service", "【小店】积分已到账", "service");
    expect(lint(CN, messages).diagnostics).toEqual([]);
    const linted = lint(CN, sms("news", "【小店】{{member.name}}，新品到店。退订回T"));
    expect(places(linted)).toEqual(["patron.yaml:31:48 W701"]);
    expect(linted.diagnostics[0]?.severity).toBe("warning");
    expect(linted.diagnostics[0]?.message).toBe(
      'the marketing SMS of message "news" does not carry the opt-out text 回TD退订 (channels.sms.optOutText)',
    );
  });

  it("China without optOutText: 回TD退订 or the usual wordings of it", () => {
    for (const body of ["【小店】新品。回TD退订", "【小店】新品。回复T退订", "【小店】新品，退订回N", "【小店】新品，退订请回复 TD"]) {
      expect(lint({ region: "cn" }, sms("news", body)).diagnostics, body).toEqual([]);
    }
    const linted = lint({ region: "cn" }, sms("news", "【小店】新品到店，{{member.name}}"));
    expect(linted.diagnostics.map((d) => d.message)).toEqual([
      'the marketing SMS of message "news" does not carry the opt-out text 回TD退订',
    ]);
    expect(linted.diagnostics[0]?.help).toBe(
      "carriers in China require the opt-out text on marketing SMS: end the template with 回TD退订; set channels.sms.optOutText in patron.yaml to have your exact wording checked (docs/templates.md#sign-name-and-opt-out-text)",
    );
  });

  it("US: STOP instructions, or the configured wording", () => {
    expect(lint({ region: "us" }, sms("news", "Mini Shop: spring sale! Reply STOP to opt out")).diagnostics).toEqual([]);
    expect(lint({ region: "us" }, sms("news", "Mini Shop: spring sale! Text STOP to quit")).diagnostics).toEqual([]);
    const missing = lint({ region: "us" }, sms("news", "Mini Shop: don't stop now, spring sale!"));
    expect(missing.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'W701 the marketing SMS of message "news" does not carry STOP instructions',
    ]);
    expect(missing.diagnostics[0]?.help).toContain(
      'US carriers require opt-out instructions on marketing SMS: end the template with "Reply STOP to opt out"',
    );
    const configured = lint({ region: "us", optOutText: "Reply END to unsubscribe" }, sms("news", "Spring sale! Reply STOP to opt out"));
    expect(places(configured)).toEqual(["patron.yaml:30:53 W701"]);
  });

  it("eu and other: only the configured optOutText is asked for", () => {
    expect(lint({ region: "other" }, sms("news", "Spring sale at Mini Shop")).diagnostics).toEqual([]);
    expect(lint({ region: "eu" }, sms("news", "Spring sale at Mini Shop")).diagnostics).toEqual([]);
    const linted = lint({ region: "eu", optOutText: "Reply STOP to opt out" }, sms("news", "Spring sale at Mini Shop"));
    expect(linted.diagnostics.map((d) => d.help)).toEqual([
      'channels.sms.optOutText in patron.yaml says marketing SMS carry it: end the template with "Reply STOP to opt out" (docs/templates.md#sign-name-and-opt-out-text)',
    ]);
  });

  it("does not count an opt-out text shown by a variable or only inside {{#if}}", () => {
    const linted = lint(CN, smsFile("news"), {
      "templates/news.sms.hbs": "【小店】{{member.name}}，新品到店。\n{{#unless coupon}}回TD退订{{/unless}}\n",
    });
    expect(places(linted)).toEqual(["templates/news.sms.hbs:2:19 W701"]);
    expect(linted.diagnostics[0]?.message).toBe(
      'the opt-out text 回TD退订 is only inside {{#unless coupon}}: members for whom it is false get the marketing SMS of message "news" without it',
    );
  });

  it("points at the end of a template file, where the text belongs", () => {
    const linted = lint(CN, smsFile("news"), { "templates/news.sms.hbs": "【小店】{{member.name}}，\n新品到店。\n" });
    expect(places(linted)).toEqual(["templates/news.sms.hbs:2:6 W701"]);
  });

  it("points at the message's key when the text in patron.yaml is not written as is", () => {
    const linted = lint(CN, `  news:\n    purpose: marketing\n    sms:\n      body: "【小店】新品\\n到店"\n`);
    expect(places(linted)).toEqual(["patron.yaml:32:7 W701"]);
  });

  it("says each problem of a template file shared by two messages once", () => {
    const linted = lint(
      CN,
      "  a:\n    purpose: marketing\n    sms: { file: shared.sms.hbs }\n  b:\n    purpose: marketing\n    sms: { file: shared.sms.hbs }\n",
      {
        "templates/shared.sms.hbs": "新品到店",
      },
    );
    expect(places(linted)).toEqual(["templates/shared.sms.hbs:1:1 E701", "templates/shared.sms.hbs:1:5 W701"]);
  });
});
