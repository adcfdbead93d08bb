import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CANONICAL_FIELDS } from "@patron/dsl";
import { describe, expect, it } from "vitest";
import { DEFAULTS, loadConfig, toCheckEnvironment } from "../src/index.js";
import { load } from "./helpers.js";

const LUMIERE = resolve(import.meta.dirname, "fixtures/lumiere");

describe("a realistic patron.yaml", () => {
  const result = loadConfig(join(LUMIERE, "patron.yaml"));
  const config = result.config;

  it("loads without diagnostics", () => {
    expect(result.diagnostics).toEqual([]);
    expect(config).toBeDefined();
  });

  it("resolves paths from the folder of patron.yaml", () => {
    expect(config?.file).toBe(join(LUMIERE, "patron.yaml"));
    expect(config?.root).toBe(LUMIERE);
    expect(config?.database).toBe(join(LUMIERE, "data/patron.db"));
    expect(config?.segments).toEqual([join(LUMIERE, "segments.segments")]);
    expect(config?.templates).toBe(join(LUMIERE, "templates"));
  });

  it("keeps the business settings", () => {
    expect(config?.business).toBe("丽美 Lumière Beauty");
    expect(config?.timezone).toBe("Asia/Shanghai");
    expect(config?.region).toBe("cn");
    expect(config?.tiers).toEqual(["silver", "gold", "platinum", "diamond"]);
    expect(config?.quietHours).toEqual({ from: { hour: 21, minute: 0 }, until: { hour: 9, minute: 0 } });
    expect(config?.frequencyCap).toEqual({ messages: 2, days: 7 });
    expect(config?.optOutKeywords).toEqual(["STOP", "TD", "退订"]);
  });

  it("lists custom fields with their types", () => {
    expect(config?.members.fields).toEqual([
      { name: "vip_store", type: "string", description: "store code of the member's home store" },
      { name: "skin_type", type: "string", values: ["dry", "oily", "combination", "sensitive"] },
      { name: "last_visit", type: "date" },
    ]);
  });

  it("keeps credentials as environment variable names and fills channel defaults", () => {
    expect(config?.channels.sms?.authToken).toEqual({ env: "TWILIO_AUTH_TOKEN" });
    expect(config?.channels.email?.secure).toBe(true); // port 465
    expect(config?.channels.wechat?.baseUrl).toBe(DEFAULTS.wechatBaseUrl);
  });

  it("resolves template files in the templates folder", () => {
    const expiry = config?.messages.find((m) => m.name === "points-expiry");
    expect(expiry?.sms).toEqual({ kind: "file", path: join(LUMIERE, "templates/points-expiry.sms.hbs") });
    expect(expiry?.email).toEqual({
      subject: "{{member.name}}，您的积分即将到期",
      html: { kind: "file", path: join(LUMIERE, "templates/points-expiry.html.hbs") },
    });
    expect(expiry?.wechat?.data).toEqual({ first: "您的积分即将到期", keyword1: "{{points}}", keyword2: "{{expiresOn}}" });
    const birthday = config?.messages.find((m) => m.name === "birthday");
    expect(birthday?.sms).toEqual({ kind: "inline", text: "{{member.name}}，生日快乐！到店出示本短信领取生日礼" });
  });

  it("fills coupon code defaults and resolves pools", () => {
    expect(config?.coupons).toEqual([
      {
        name: "HS-20",
        brand: "Head & Shoulders",
        value: "20 CNY off",
        message: "coupon-issued",
        validDays: 30,
        cap: 5000,
        codes: { kind: "generated", alphabet: DEFAULTS.couponAlphabet, length: 8, prefix: "HS-" },
      },
      {
        name: "WINBACK-50",
        value: "50 CNY off",
        message: "coupon-issued",
        codes: { kind: "pool", file: join(LUMIERE, "coupons/winback-50.txt") },
      },
    ]);
  });

  it("gives the checker its environment", () => {
    if (config === undefined) throw new Error("no config");
    const environment = toCheckEnvironment(config);
    expect(environment.tiers).toEqual(["silver", "gold", "platinum", "diamond"]);
    expect(environment.fields.slice(0, CANONICAL_FIELDS.length)).toEqual(CANONICAL_FIELDS);
    expect(environment.fields.slice(CANONICAL_FIELDS.length).map((f) => f.name)).toEqual(["vip_store", "skin_type", "last_visit"]);
    expect(environment.channels).toEqual(["sms", "email", "wechat"]);
    expect(environment.messages).toEqual([
      { name: "points-expiry", channels: ["sms", "email", "wechat"] },
      { name: "coupon-issued", channels: ["sms"] },
      { name: "birthday", channels: ["sms", "email"] },
    ]);
    expect(environment.coupons).toEqual([
      { name: "HS-20", brand: "Head & Shoulders", message: "coupon-issued" },
      { name: "WINBACK-50", message: "coupon-issued" },
    ]);
    expect(environment.timezone).toBe("Asia/Shanghai");
  });
});

describe("a minimal patron.yaml", () => {
  const { config, diagnostics } = load("business: Lumière\ntimezone: asia/shanghai\ntiers: [member]\n");

  it("gets the defaults", () => {
    expect(diagnostics).toEqual([]);
    expect(config?.region).toBe("other");
    expect(config?.database).toBe(join(config?.root ?? "", "patron.db"));
    expect(config?.templates).toBe(join(config?.root ?? "", "templates"));
    expect(config?.segments).toEqual([]);
    expect(config?.channels).toEqual({});
    expect(config?.messages).toEqual([]);
    expect(config?.coupons).toEqual([]);
    expect(config?.quietHours).toBeUndefined();
    expect(config?.frequencyCap).toBeUndefined();
    expect(config?.optOutKeywords).toEqual(DEFAULTS.optOutKeywords);
  });

  it("spells the time zone the canonical way", () => {
    expect(config?.timezone).toBe("Asia/Shanghai");
  });
});

describe("YAML features", () => {
  it("shares settings through anchors kept under x- keys", () => {
    const { config, diagnostics } = load(`business: Lumière
timezone: Europe/London
tiers: [bronze, silver]
x-limits: &limits { concurrency: 4, ratePerSecond: 5 }
channels:
  wechat:
    <<: *limits
    provider: wechat-official-account
    appId: { env: WECHAT_APP_ID }
    appSecret: { env: WECHAT_APP_SECRET }
`);
    expect(diagnostics).toEqual([]);
    expect(config?.channels.wechat).toMatchObject({ concurrency: 4, ratePerSecond: 5 });
  });

  it("reads yes, no and 09:00 as text (YAML 1.2)", () => {
    const { config, diagnostics } = load(`business: yes
timezone: UTC
tiers: [no, yes]
quietHours: { from: 21:30, until: 09:00 }
`);
    expect(diagnostics).toEqual([]);
    expect(config?.business).toBe("yes");
    expect(config?.tiers).toEqual(["no", "yes"]);
    expect(config?.quietHours).toEqual({ from: { hour: 21, minute: 30 }, until: { hour: 9, minute: 0 } });
  });
});

describe("docs/configuration.md", () => {
  it("has a complete example that loads", () => {
    const docs = readFileSync(resolve(import.meta.dirname, "../../../docs/configuration.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? "";
    const { diagnostics } = load(example, {
      "segments.segments": "",
      "templates/points-expiry.sms.hbs": "",
      "templates/points-expiry.html.hbs": "",
    });
    expect(diagnostics).toEqual([]);
  });
});
