import { describe, expect, it } from "vitest";
import { MINIMAL, problems } from "./helpers.js";

const TWILIO = `channels:
  sms:
    provider: twilio
    from: "+861012345678"
    accountSid: { env: TWILIO_ACCOUNT_SID }
    authToken: { env: TWILIO_AUTH_TOKEN }
`;

describe("YAML syntax", () => {
  it("reports an unclosed list at its bracket", () => {
    expect(problems("business: Lumière\ntimezone: Asia/Shanghai\ntiers: [silver, gold\nregion: cn\n")).toEqual([
      '3:8 E402 list not closed with "]" | help: close it with ]; when it goes on over several lines, indent them further than its key',
    ]);
  });

  it("reports a key given twice", () => {
    expect(problems(`${MINIMAL}tiers: [gold]\n`)).toEqual([
      '4:1 E402 key "tiers" appears twice in the same mapping | help: keep one of them',
    ]);
  });

  it("reports tabs used for indentation", () => {
    expect(problems(`${MINIMAL}channels:\n\tsms: {}\n`)).toEqual([
      "5:1 E402 tab used for indentation | help: YAML indents with spaces only",
    ]);
  });

  it("reports an unquoted value containing a colon", () => {
    expect(problems(MINIMAL.replace("business: Lumière Beauty", "business: Lumière: Paris"))).toEqual([
      '1:11 E402 unexpected key: value inside a value | help: put a value that contains ": " in quotes, or start nested keys on a new, further indented line',
    ]);
  });
});

describe("required settings", () => {
  it("reports a missing time zone", () => {
    expect(problems("business: Lumière\ntiers: [silver, gold]\n")).toEqual([
      '1:1 E403 missing key "timezone" | help: The business time zone, an IANA name such as Asia/Shanghai.',
    ]);
  });

  it("reports an empty time zone at its key", () => {
    expect(problems(MINIMAL.replace(" Asia/Shanghai", ""))).toEqual([
      "2:1 E403 timezone: expected an IANA time zone name, e.g. Asia/Shanghai or Europe/London | help: the value is empty",
    ]);
  });

  it("reports a file without settings", () => {
    expect(problems("# to do\n")).toEqual([
      "1:1 E403 patron.yaml has no settings | help: it needs at least business, timezone and tiers (see docs/configuration.md)",
    ]);
  });
});

describe("time zone", () => {
  it("reports a misspelt zone with a suggestion", () => {
    expect(problems(MINIMAL.replace("Asia/Shanghai", "Asia/Shangai"))).toEqual([
      '2:11 E403 timezone: "Asia/Shangai" is not a known time zone | help: did you mean "Asia/Shanghai"? Time zones are IANA names such as Asia/Shanghai or America/New_York',
    ]);
  });

  it("reports a zone that does not exist", () => {
    expect(problems(MINIMAL.replace("Asia/Shanghai", "Mars/Olympus_Mons"))).toEqual([
      '2:11 E403 timezone: "Mars/Olympus_Mons" is not a known time zone | help: Time zones are IANA names such as Asia/Shanghai or America/New_York',
    ]);
  });

  it("accepts aliases the engine knows", () => {
    expect(problems(MINIMAL.replace("Asia/Shanghai", "Asia/Calcutta"))).toEqual([]);
  });
});

describe("tiers", () => {
  const expected = "3:8 E403 tiers: expected a list of tier names, lowest first, e.g. [silver, gold, platinum]";

  it("reports tiers that are not a list", () => {
    expect(problems(MINIMAL.replace("[silver, gold, platinum, diamond]", "gold"))).toEqual([expected]);
  });

  it("reports an empty list", () => {
    expect(problems(MINIMAL.replace("[silver, gold, platinum, diamond]", "[]"))).toEqual([expected]);
  });

  it("reports a mapping at its key", () => {
    expect(problems(MINIMAL.replace(" [silver, gold, platinum, diamond]", "\n  silver: 1\n  gold: 2"))).toEqual([
      "3:1 E403 tiers: expected a list of tier names, lowest first, e.g. [silver, gold, platinum]",
    ]);
  });

  it("reports a duplicate tier", () => {
    expect(problems(MINIMAL.replace("[silver, gold, platinum, diamond]", "[silver, gold, platinum, gold]"))).toEqual([
      '3:33 E403 tiers: "gold" is listed twice | help: list each tier once, lowest first',
    ]);
  });

  it("reports tiers that differ only in case, as campaigns ignore case", () => {
    expect(problems(MINIMAL.replace("[silver, gold, platinum, diamond]", "[silver, gold, Gold]"))).toEqual([
      '3:23 E403 tiers: "Gold" is listed twice | help: "gold" and "Gold" differ only in case; list each tier once, lowest first',
    ]);
  });
});

describe("keys", () => {
  it("reports unknown top-level keys with a suggestion", () => {
    expect(problems(`${MINIMAL}regoin: cn\nfrobnicate: 1\n`)).toEqual([
      '4:1 E403 unknown key "regoin" | help: did you mean "region"? Known keys: business, timezone, region, database, tiers, segments, templates, members, channels, messages, coupons, quietHours (and 2 more)',
      '5:1 E403 unknown key "frobnicate" | help: Known keys: business, timezone, region, database, tiers, segments, templates, members, channels, messages, coupons, quietHours (and 2 more)',
    ]);
  });

  it("reports an unknown nested key with a suggestion", () => {
    expect(problems(`${MINIMAL}${TWILIO.replace("    from:", "    form:")}`)).toEqual([
      "5:3 E403 channels.sms: give a sending number (from) or a Twilio Messaging Service (messagingServiceSid)",
      '7:5 E403 unknown key "form" in channels.sms | help: did you mean "from"? Known keys: provider, from, messagingServiceSid, accountSid, authToken, statusCallback, baseUrl, signature, optOutText, concurrency, ratePerSecond, timeoutMs',
    ]);
  });

  it("reports an unknown channel", () => {
    expect(problems(`${MINIMAL}channels:\n  whatsapp: {}\n`)).toEqual([
      '5:3 E403 unknown key "whatsapp" in channels | help: Known keys: sms, email, wechat',
    ]);
  });

  it("suggests the allowed value for a misspelt choice", () => {
    expect(problems(`${MINIMAL}region: CN\n`)).toEqual(['4:9 E403 region: expected one of: cn, us, eu, other | help: did you mean "cn"?']);
  });
});

describe("channels", () => {
  it("rejects a literal secret instead of an environment variable", () => {
    expect(problems(`${MINIMAL}${TWILIO.replace("{ env: TWILIO_AUTH_TOKEN }", "0f3a9c1b7d2e4f6a8b0c1d2e3f4a5b6c")}`)).toEqual([
      "9:16 E403 channels.sms.authToken: expected { env: VARIABLE_NAME }; secrets are never written in patron.yaml",
    ]);
  });

  it("rejects an environment variable name that does not look like one", () => {
    expect(problems(`${MINIMAL}${TWILIO.replace("TWILIO_AUTH_TOKEN", "twilio-token")}`)).toEqual([
      "9:23 E403 channels.sms.authToken.env: expected an environment variable name in capitals, e.g. TWILIO_AUTH_TOKEN",
    ]);
  });

  it("does not require the environment variables to be set", () => {
    expect(process.env["TWILIO_AUTH_TOKEN"]).toBeUndefined();
    expect(problems(`${MINIMAL}${TWILIO}`)).toEqual([]);
  });

  it("explains a phone number YAML read as a number", () => {
    expect(problems(`${MINIMAL}${TWILIO.replace('"+861012345678"', "+861012345678")}`)).toEqual([
      '7:11 E403 channels.sms.from: expected a phone number in international form, e.g. "+861012345678", or a sender ID of up to 11 letters and digits | help: YAML reads +861012345678 as a number; put it in quotes: "+861012345678"',
    ]);
  });

  it("reports email settings that do not fit", () => {
    const email = `channels:\n  email: { provider: smtp, host: smtp.exmail.qq.com, port: "587", from: news, user: { env: SMTP_USER } }\n`;
    expect(problems(`${MINIMAL}${email}`)).toEqual([
      "5:60 E403 channels.email.port: expected a port number, e.g. 587 or 465 | help: remove the quotes: 587",
      '5:73 E403 channels.email.from: expected an email address, e.g. news@lumiere.example or "Lumière Beauty <news@lumiere.example>"',
      '5:79 E403 channels.email: "user" is set but "password" is not | help: give both user and password, or neither',
    ]);
  });

  it("reports a required key missing from a channel at the channel's key", () => {
    expect(problems(`${MINIMAL}channels:\n  wechat:\n    provider: wechat-official-account\n    appId: { env: WECHAT_APP_ID }\n`)).toEqual([
      '5:3 E403 channels.wechat: missing key "appSecret" | help: The official account\'s AppSecret, from an environment variable.',
    ]);
  });
});

describe("messages", () => {
  it("reports templates that are missing or given twice", () => {
    const messages = `messages:
  welcome:
    purpose: promotion
  expiry:
    purpose: service
    sms: { body: "积分即将到期", file: expiry.sms.hbs }
    email: { subject: "Your points", text: "…", textFile: expiry.txt.hbs }
`;
    expect(problems(`${MINIMAL}${messages}`, { "templates/expiry.sms.hbs": "x", "templates/expiry.txt.hbs": "x" })).toEqual([
      "5:3 E403 messages.welcome: a message needs a template for at least one channel: sms, email or wechat",
      "6:14 E403 messages.welcome.purpose: expected one of: service, marketing",
      "9:10 E403 messages.expiry.sms: expected exactly one of body (the text) and file (a template file)",
      "10:12 E403 messages.expiry.email: give text or textFile, not both",
    ]);
  });

  it("reports a template file missing from the templates folder", () => {
    const messages = `messages:\n  expiry:\n    purpose: service\n    sms: { file: expiry.sms.hbs }\n`;
    expect(problems(`${MINIMAL}${messages}`)).toEqual([
      '7:18 E404 messages.expiry.sms.file: file "expiry.sms.hbs" not found | help: template files are looked up in the templates folder, templates/',
    ]);
  });

  it("reports a missing templates folder once", () => {
    const messages = `templates: message-templates\nmessages:\n  expiry:\n    purpose: service\n    sms: { file: expiry.sms.hbs }\n`;
    expect(problems(`${MINIMAL}${messages}`)).toEqual([
      '4:12 E404 templates: folder "message-templates" not found | help: paths are relative to the folder holding patron.yaml; create the folder, or set templates to the folder holding the message templates',
    ]);
  });
});

describe("coupons", () => {
  const messages = `messages:\n  coupon-issued:\n    purpose: service\n    sms: { body: "券码{{coupon.code}}" }\n`;

  it("reports a coupon referring to an unknown message", () => {
    const coupons = `coupons:\n  HS-20:\n    value: "20 CNY off"\n    message: coupon-isued\n`;
    expect(problems(`${MINIMAL}${messages}${coupons}`)).toEqual([
      '11:14 E403 coupons.HS-20.message: no message named "coupon-isued" | help: did you mean "coupon-issued"? Messages: coupon-issued',
    ]);
  });

  it("reports two coupons for one brand, and codes given twice", () => {
    const coupons = `coupons:
  HS-20: { brand: "Head & Shoulders", value: "20 CNY off", message: coupon-issued }
  HS-30:
    brand: head & shoulders
    value: "30 CNY off"
    message: coupon-issued
    codes: { prefix: HS- }
    pool: codes/hs-30.txt
`;
    expect(problems(`${MINIMAL}${messages}${coupons}`, { "codes/hs-30.txt": "HS-1\n" })).toEqual([
      "10:3 E403 coupons.HS-30: give codes (generated) or pool (a file of codes), not both",
      '11:12 E403 coupons.HS-30.brand: brand "head & shoulders" already has coupon "HS-20" | help: `send coupon for brand` needs one coupon per brand; remove brand from one of them',
    ]);
  });
});

describe("files", () => {
  it("reports a missing segments file", () => {
    expect(problems(`${MINIMAL}segments: segments.segments\n`)).toEqual([
      '4:11 E404 segments: file "segments.segments" not found | help: paths are relative to the folder holding patron.yaml',
    ]);
  });

  it("reports each missing file of a list", () => {
    expect(problems(`${MINIMAL}segments: [vip.segments, lapsed.segments]\n`, { "vip.segments": "" })).toEqual([
      '4:26 E404 segments[1]: file "lapsed.segments" not found | help: paths are relative to the folder holding patron.yaml',
    ]);
  });
});

describe("member fields", () => {
  it("reports a custom field that redefines a canonical one", () => {
    expect(problems(`${MINIMAL}members:\n  fields:\n    points: { type: number }\n`)).toEqual([
      '6:5 E403 members.fields.points: "points" is a canonical member field | help: canonical fields are built in and cannot be redefined: id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, age, joined_at, timezone, consent_sms, consent_email, consent_wechat, referred_by; give the custom field another name',
    ]);
  });

  it("reports field names campaigns cannot write, unknown types and misplaced values", () => {
    const fields = `members:
  fields:
    Skin Type: { type: string }
    visits: { type: number, values: [few, many] }
    store: { type: text }
`;
    expect(problems(`${MINIMAL}${fields}`)).toEqual([
      '6:5 E403 members.fields."Skin Type": expected a field name of letters, digits and _, e.g. vip_store',
      "7:29 E403 members.fields.visits.values: only string fields have a list of values | help: this field is a number field; remove values, or make it type: string",
      "8:20 E403 members.fields.store.type: expected one of: string, number, date, boolean",
    ]);
  });
});

describe("sending rules", () => {
  it("reports an impossible quiet-hours time", () => {
    expect(problems(`${MINIMAL}quietHours: { from: "25:00", until: "09:00" }\n`)).toEqual([
      '4:21 E403 quietHours.from: expected a time of day as HH:MM (24-hour), e.g. "21:00"',
    ]);
  });

  it("reports quiet hours of no length", () => {
    expect(problems(`${MINIMAL}quietHours:\n  from: "21:00"\n  until: "21:00"\n`)).toEqual([
      "4:1 E403 quietHours: from and until are the same time | help: remove quietHours to send at any hour",
    ]);
  });

  it("reports a frequency cap that is not whole numbers", () => {
    expect(problems(`${MINIMAL}frequencyCap: { messages: 0, days: 2.5 }\n`)).toEqual([
      "4:27 E403 frequencyCap.messages: expected a whole number, 1 or more",
      "4:36 E403 frequencyCap.days: expected a whole number, 1 or more",
    ]);
  });

  it("reports opt-out words given twice ignoring case", () => {
    expect(problems(`${MINIMAL}optOutKeywords: [STOP, TD, stop]\n`)).toEqual([
      '4:28 E403 optOutKeywords: "stop" is listed twice | help: "STOP" and "stop" differ only in case; replies are matched ignoring case',
    ]);
  });
});

describe("everything at once", () => {
  it("reports every problem of a file in one run, in file order", () => {
    const text = `business: Lumière
timezone: Asia/Shangai
tiers: [silver, gold, gold]
regoin: cn
quietHours: { from: "25:00", until: "09:00" }
`;
    expect(problems(text).map((line) => line.split(" E")[0])).toEqual(["2:11", "3:23", "4:1", "5:21"]);
  });
});
