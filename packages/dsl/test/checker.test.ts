import { describe, expect, it } from "vitest";
import { parse, SourceFile, type ConditionNode, type Diagnostic, type RuleNode } from "../src/index.js";
import { checkOne, checkSources } from "./support/check-files.js";

/*
 * What sentences mean, checked one property at a time: spellings that must mean the same, and
 * the warnings for campaigns that can never match (and, as important, no warning where a
 * campaign is fine).
 */

/** The one sentence of a one-line file. */
function ruleOf(text: string): RuleNode {
  const result = parse(new SourceFile("campaigns/test.campaign", text));
  expect(result.diagnostics).toEqual([]);
  const rule = result.ast.items.find((i): i is RuleNode => i.kind === "Rule");
  if (!rule) throw new Error(`no sentence in: ${text}`);
  return rule;
}

/** What a node means: the AST without offsets, the `member` filler, and how names were written. */
function meaning(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) =>
      key === "start" || key === "end" || key === "member" || key === "quoted" ? undefined : value,
    ),
  );
}

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}

const SEND = 'send message "welcome" via sms';

describe("spellings that mean the same", () => {
  it("keywords are case-insensitive", () => {
    const lower = ruleOf("when member bought brand A within 30 days and tier >= gold, send coupon for brand B via sms");
    const upper = ruleOf("WHEN MEMBER BOUGHT BRAND A WITHIN 30 DAYS AND tier >= gold, SEND COUPON FOR BRAND B VIA SMS");
    const mixed = ruleOf("When Member Bought Brand A Within 30 Days And tier >= gold, Send Coupon For Brand B Via Sms");
    expect(meaning(upper)).toEqual(meaning(lower));
    expect(meaning(mixed)).toEqual(meaning(lower));
  });

  it("field, tier and brand-coupon names match whatever their case", () => {
    // Names keep the case they were written in (the formatter prints them back as written);
    // the checker compares field, tier and brand names without case, like keywords.
    const rule = ruleOf("WHEN TIER >= GOLD, SEND COUPON FOR BRAND b VIA SMS");
    expect(rule.condition.kind === "Comparison" && rule.condition.field.value).toBe("TIER");
    expect(checkOne("WHEN TIER >= GOLD AND Points > 10, SEND COUPON FOR BRAND b VIA SMS").result.diagnostics).toEqual([]);
  });

  it("channels are case-insensitive: SMS is sms", () => {
    const upper = ruleOf('when tier >= gold, send message "welcome" via SMS');
    const action = upper.actions[0];
    expect(action?.kind === "SendMessage" && action.via.map((c) => c.name)).toEqual(["sms"]);
    expect(checkOne('when tier >= gold, send message "birthday" via SMS or WeChat').result.diagnostics).toEqual([]);
  });

  it("the word member is optional filler", () => {
    const withMember = ruleOf("when member bought brand A within 30 days, send coupon for brand B via sms");
    const without = ruleOf("when bought brand A within 30 days, send coupon for brand B via sms");
    expect(meaning(without)).toEqual(meaning(withMember));
    // Only the flag the formatter needs to print it back differs.
    expect(withMember.condition.kind === "Bought" && withMember.condition.member).toBe(true);
    expect(without.condition.kind === "Bought" && without.condition.member).toBeUndefined();
  });

  it("member may stand before any condition", () => {
    const a = ruleOf(`when member tier >= gold and member in segment lapsed_vip and member birthday within 7 days, ${SEND}`);
    const b = ruleOf(`when tier >= gold and in segment lapsed_vip and birthday within 7 days, ${SEND}`);
    expect(meaning(a)).toEqual(meaning(b));
  });

  it("a quoted name and a bare name are the same value", () => {
    const bare = ruleOf("when bought brand Pantene within 30 days and tier >= gold, send coupon for brand B via sms");
    const quoted = ruleOf('when bought brand "Pantene" within 30 days and tier >= "gold", send coupon for brand "B" via sms');
    expect(meaning(quoted)).toEqual(meaning(bare));
    expect(checkOne('when tier >= "gold", send coupon for brand "B" via "sms"').result.diagnostics).toEqual([]);
  });

  it("full-width punctuation typed with a Chinese input method means the same as ASCII", () => {
    const ascii = ruleOf('when city in ("北京", "上海") and joined within 14 days, send message "welcome" via sms');
    const fullWidth = ruleOf("when city in （“北京”，“上海”） and joined within 14 days，send message “welcome” via sms");
    expect(meaning(fullWidth)).toEqual(meaning(ascii));
  });

  it("singular and plural units mean the same", () => {
    expect(meaning(ruleOf(`when joined within 1 day, ${SEND}`).condition)).toEqual(
      meaning(ruleOf(`when joined within 1 days, ${SEND}`).condition),
    );
  });

  it("at least, more than … mean the same as >=, > …", () => {
    const words = ruleOf(`when spent at least 500 within 90 days and bought brand A more than 2 times within 90 days, ${SEND}`);
    const symbols = ruleOf(`when spent >= 500 within 90 days and bought brand A > 2 times within 90 days, ${SEND}`);
    const strip = (n: unknown): unknown => JSON.parse(JSON.stringify(meaning(n), (k, v: unknown) => (k === "symbolic" ? undefined : v)));
    expect(strip(words)).toEqual(strip(symbols));
  });
});

describe("Chinese text", () => {
  it("is a normal value in quotes, as a bare word, and in lists", () => {
    const quoted = ruleOf('when city = "上海" and bought brand "海飞丝" within 30 days, send coupon "HS-20" via sms');
    const bare = ruleOf('when city = 上海 and bought brand 海飞丝 within 30 days, send coupon "HS-20" via sms');
    expect(meaning(bare)).toEqual(meaning(quoted));
    const c = quoted.condition;
    expect(
      c.kind === "And" && c.operands[0]?.kind === "Comparison" && c.operands[0].test.kind === "compare" && c.operands[0].test.value,
    ).toMatchObject({
      kind: "Name",
      value: "上海",
    });
    expect(
      checkOne('when city in (北京, "上海", 广州) and bought brand 海飞丝 within 30 days, send coupon "HS-20" via sms').result.diagnostics,
    ).toEqual([]);
  });

  it("keeps its offsets, so a caret lands under a Chinese name", () => {
    const { result, text } = checkOne("when 城市 = 上海, send message 生日 via sms");
    expect(codes(result.diagnostics)).toEqual(["E201", "E205"]);
    // Columns count characters; the caret is two terminal columns wide per character.
    expect(result.diagnostics[0]?.span.start.column).toBe(6);
    expect(result.diagnostics[1]?.span.start.column).toBe(28);
    expect(text).toContain("      ^^^^\n");
  });
});

describe("precedence: not, then and, then or", () => {
  const shape = (node: ConditionNode): unknown => {
    switch (node.kind) {
      case "And":
      case "Or":
        return { [node.kind]: node.operands.map(shape) };
      case "Not":
        return { Not: shape(node.operand) };
      case "Group":
        return { Group: shape(node.inner) };
      default:
        return node.kind;
    }
  };

  it("and binds tighter than or", () => {
    expect(shape(ruleOf(`when joined within 7 days or tier >= gold and points > 10, ${SEND}`).condition)).toEqual({
      Or: ["Joined", { And: ["Comparison", "Comparison"] }],
    });
  });

  it("not binds tighter than and", () => {
    expect(shape(ruleOf(`when not bought anything within 90 days and tier >= gold, ${SEND}`).condition)).toEqual({
      And: [{ Not: "Bought" }, "Comparison"],
    });
  });

  it("parentheses are kept", () => {
    expect(shape(ruleOf(`when not (points > 10 or tier >= gold), ${SEND}`).condition)).toEqual({
      Not: { Group: { Or: ["Comparison", "Comparison"] } },
    });
  });
});

describe("contradictions and conditions that never hold", () => {
  const warnings = (condition: string): string[] =>
    codes(checkOne(`when ${condition}, ${SEND}`).result.diagnostics.filter((d) => d.severity === "warning"));

  it.each([
    ["tier > diamond", "W501"],
    ["tier < silver", "W501"],
    ["age between 35 and 25", "W501"],
    ["bought brand A within 30 days and not bought brand A within 30 days", "W502"],
    ["member bought brand A within 30 days and not bought brand A within 30 days", "W502"],
    ["bought brand A within 30 days and not (bought brand A within 30 days)", "W502"],
    ["points > 1000 and points < 500", "W502"],
    ["points > 500 and points <= 500", "W502"],
    ["tier >= platinum and tier < gold", "W502"],
    ["gender is female and gender is male", "W502"],
    ["tier = gold and tier != gold", "W502"],
    ["joined_at > 2026-05-01 and joined_at < 2026-01-01", "W502"],
    ["(tier >= gold and tier < gold) or points > 5", "W502"],
    ["bought brand A within 0 days", "W503"],
    ["bought brand A at least 0 times within 30 days", "W505"],
  ])("warns: %s", (condition, code) => {
    expect(warnings(condition)).toEqual([code]);
  });

  it.each([
    "points > 500 and points < 1000",
    "points >= 500 and points <= 500",
    "tier >= gold and tier <= platinum",
    "tier > gold and tier < diamond",
    "tier >= diamond",
    "tier <= silver",
    "age between 25 and 35",
    "age between 30 and 30",
    "bought brand A within 30 days or not bought brand A within 30 days",
    "bought brand A within 30 days and not bought brand A within 90 days",
    "bought brand A within 30 days and not bought brand B within 30 days",
    "not bought brand A within 30 days and not bought brand A within 30 days",
    "gender is female or gender is male",
    "city = 上海 and city != 北京",
    "tier = gold and points > 100 and points < 200",
    "(tier >= platinum or tier < gold) and points > 10",
  ])("does not warn: %s", (condition) => {
    expect(checkOne(`when ${condition}, ${SEND}`).result.diagnostics).toEqual([]);
  });

  it("a warning does not stop the campaign from being handed on", () => {
    const { result } = checkOne(`when tier > diamond, ${SEND}`, "campaigns/never.campaign");
    expect(codes(result.diagnostics)).toEqual(["W501"]);
    expect(result.campaigns.map((c) => c.id)).toEqual(["never"]);
  });
});

describe("segments", () => {
  it("are shared by every campaign file", () => {
    const { result } = checkSources({
      "campaigns/a.campaign": `when member in segment lapsed_vip, ${SEND}`,
      "campaigns/b.campaign": `when in segment new_member and tier >= gold, ${SEND}`,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.campaigns.map((c) => c.id)).toEqual(["a", "b"]);
  });

  it("may use other segments", () => {
    const { result } = checkSources({ "more.segments": "segment new_vip = member in segment new_member and tier >= platinum\n" });
    expect(result.diagnostics).toEqual([]);
  });

  it("may not use themselves, directly or through others (E212)", () => {
    const { result, text } = checkSources({
      "more.segments":
        "segment a = member in segment b\nsegment b = tier >= gold and member in segment a\nsegment c = points > 10 or member in segment c\n",
    });
    expect(result.diagnostics.map((d) => `${d.span.start.line}:${d.code}`)).toEqual(["1:E212", "2:E212", "3:E212"]);
    expect(text).toContain('error[E212]: segment "a" uses itself (through "b")');
    expect(text).toContain('error[E212]: segment "c" uses itself\n');
  });

  it("are defined once across all files (E211), pointing at the first definition", () => {
    const { result, text } = checkSources({ "more.segments": "segment lapsed_vip = joined within 3 days\n" });
    expect(codes(result.diagnostics)).toEqual(["E211"]);
    expect(text).toContain('segment "lapsed_vip" is already defined (segments.segments:1)');
  });

  it("an unknown segment is an error with a suggestion (E204)", () => {
    const { result } = checkOne(`when member in segment lapsed_vips, ${SEND}`);
    expect(result.diagnostics.map((d) => [d.code, d.help])).toEqual([
      ["E204", 'did you mean "lapsed_vip"? Segments: lapsed_vip, new_member'],
    ]);
  });
});

describe("campaign ids", () => {
  it("a one-line file is a campaign named after the file", () => {
    const { result } = checkSources({
      "campaigns/birthday-care.campaign": 'when birthday within 7 days, send message "birthday" via wechat or sms\n',
      "campaigns/vip/winback.campaign":
        'holdout 10%\nwhen tier >= platinum and not bought anything within 90 days, send coupon "WINBACK-50" via sms\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.campaigns.map((c) => [c.id, c.holdoutPercent])).toEqual([
      ["birthday-care", 0],
      ["winback", 10],
    ]);
  });

  it("a block is named by its name, and a file may hold several", () => {
    const { result } = checkOne(`campaign "a" {\n  when tier >= gold, ${SEND}\n}\ncampaign 第二 {\n  when tier >= gold, ${SEND}\n}\n`);
    expect(result.diagnostics).toEqual([]);
    expect(result.campaigns.map((c) => c.id)).toEqual(["a", "第二"]);
  });

  it("two files with the same name clash (E210), pointing at the first", () => {
    const { result, text } = checkSources({
      "campaigns/spring/welcome.campaign": `when joined within 7 days, ${SEND}\n`,
      "campaigns/summer/welcome.campaign": `when joined within 14 days, ${SEND}\n`,
    });
    expect(codes(result.diagnostics)).toEqual(["E210"]);
    expect(text).toContain('a campaign named "welcome" already exists (campaigns/spring/welcome.campaign:1)');
    expect(result.campaigns.map((c) => c.source.path)).toEqual(["campaigns/spring/welcome.campaign"]);
  });
});

describe("check hands on only campaigns without errors", () => {
  it("drops a campaign with an error and keeps the others in the same file", () => {
    const { result } = checkOne(
      [
        `campaign "good" {\n  when tier >= gold, ${SEND}\n}`,
        `campaign "unknown-tier" {\n  when tier >= platnum, ${SEND}\n}`,
        `campaign "syntax" {\n  descripton "x"\n  when tier >= gold, ${SEND}\n}`,
        `campaign "warned" {\n  when tier > diamond, ${SEND}\n}`,
        `campaign "also-good" {\n  holdout 5%\n  when tier >= gold, ${SEND}\n}`,
      ].join("\n"),
    );
    expect(codes(result.diagnostics)).toEqual(["E202", "E101", "W501"]);
    expect(result.campaigns.map((c) => c.id)).toEqual(["good", "warned", "also-good"]);
  });

  it("drops a one-line campaign whose sentence the parser gave up on after the action", () => {
    const { result } = checkOne('when birthday within 7 days, send message "birthday" vai sms\n');
    expect(codes(result.diagnostics)).toEqual(["E103"]);
    expect(result.campaigns).toEqual([]);
  });

  it("drops a campaign whose closing brace is missing, not the campaign after it", () => {
    const { result } = checkOne(`campaign "open" {\n  when tier >= gold, ${SEND}\n\ncampaign "next" {\n  when tier >= gold, ${SEND}\n}\n`);
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["E104", 2]]);
    expect(result.campaigns.map((c) => c.id)).toEqual(["next"]);
  });

  it("returns nothing for a file with only segments", () => {
    const { result } = checkSources({ "more.segments": "segment gold_plus = tier >= gold\n" });
    expect(result.diagnostics).toEqual([]);
    expect(result.campaigns).toEqual([]);
    expect([...result.segments.keys()]).toContain("gold_plus");
  });

  it("fills in option defaults and keeps the options written", () => {
    const { result } = checkOne(
      `campaign "x" {\n  description "d"\n  holdout 10%\n  priority 3\n  when tier >= gold, ${SEND}\n  goal bought anything within 14 days\n}\n`,
    );
    const [c] = result.campaigns;
    expect(c).toMatchObject({ id: "x", description: "d", holdoutPercent: 10, priority: 3 });
    expect(c?.goal?.kind).toBe("Bought");
    const [plain] = checkOne(`when tier >= gold, ${SEND}`).result.campaigns;
    expect(plain).toMatchObject({ holdoutPercent: 0, priority: 0 });
    expect(plain?.goal).toBeUndefined();
  });
});

describe("echoes of one mistake are not reported as more mistakes", () => {
  it("a misspelt via is one mistake, not also a missing channel", () => {
    expect(codes(checkOne('when birthday within 7 days, send message "birthday" vai sms').result.diagnostics)).toEqual(["E103"]);
  });

  it("a broken sentence in a block is one mistake, not also a campaign without a sentence", () => {
    expect(codes(checkOne(`campaign "x" {\n  when joined within 14 dayz, ${SEND}\n}`).result.diagnostics)).toEqual(["E310"]);
  });

  it("an unclosed quote is one mistake, not also an unknown message and a missing channel", () => {
    expect(codes(checkOne('when birthday within 7 days, send message "birthday via sms').result.diagnostics)).toEqual(["E002"]);
  });

  it("a full-width operator is one mistake, not also a broken condition", () => {
    expect(codes(checkOne(`when tier ＞＝ gold, ${SEND}`).result.diagnostics)).toEqual(["E001"]);
  });

  it("a misspelt campaign keyword does not make later campaigns appear twice", () => {
    const { result } = checkOne(
      `campaign "a" {\n  when tier >= gold, ${SEND}\n}\ncampaig "b" {\n  when tier >= gold, ${SEND}\n}\ncampaign "c" {\n  when tier >= gold, ${SEND}\n}\n`,
    );
    expect(codes(result.diagnostics)).not.toContain("E210");
    expect(result.campaigns.map((c) => c.id).filter((id) => id === "c")).toEqual(["c"]);
  });
});
