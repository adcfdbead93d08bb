import { describe, expect, it } from "vitest";
import { formatFile } from "../src/format/index.js";
import { formatFixtures } from "./helpers/corpus.js";
import { expectFormatInvariants } from "./helpers/format.js";
import { expectGolden as expectGoldenText } from "../../../test/support/golden.js";

const expectGolden = (path: string, actual: string): void => expectGoldenText(path, actual, { exact: true });
import { describeErrors, parseText } from "./helpers/parse.js";

/** Formats a text that must parse, checking the formatter's promises on the way. */
function fmt(text: string): string {
  return expectFormatInvariants(text);
}

/** The expected output, written as lines. */
function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

describe("patron fmt: golden files (fixtures/format/X.campaign → X.formatted.campaign)", () => {
  for (const fixture of formatFixtures()) {
    it(fixture.name, () => {
      expect(describeErrors(parseText(fixture.text, fixture.name))).toBe("");
      const formatted = expectFormatInvariants(fixture.text, fixture.name);
      expectGolden(fixture.path.replace(/\.campaign$/, ".formatted.campaign"), formatted);
    });
  }
});

describe("patron fmt: the sentence that defines the product", () => {
  it("prints it on one line, with the channel in lower case", () => {
    expect(fmt("when member bought brand A within 30 days and tier >= gold, send coupon for brand B via SMS")).toBe(
      lines("when member bought brand A within 30 days and tier >= gold, send coupon for brand B via sms"),
    );
  });

  it("keeps the filler word `member` only where it was written", () => {
    expect(fmt("when bought brand A within 30 days and MEMBER tier >= gold, send coupon for brand B via SMS")).toBe(
      lines("when bought brand A within 30 days and member tier >= gold, send coupon for brand B via sms"),
    );
  });
});

describe("patron fmt: words and values", () => {
  it("lower-cases keywords and single-spaces everything, keeping names as written", () => {
    expect(fmt("WHEN   Tier >=  Gold AND   City  In  ( 北京 ,上海 ) ，SEND  Message  Hello  VIA  WeChat")).toBe(
      lines("when Tier >= Gold and City in (北京, 上海), send message Hello via wechat"),
    );
  });

  it("writes symbols in ASCII and keeps the author's wording of comparisons", () => {
    expect(fmt("when points ≥ 500 and tier <> gold and age == 30, award 5 points")).toBe(
      lines("when points >= 500 and tier != gold and age = 30, award 5 points"),
    );
    expect(fmt("when gender is not male and city is 上海, award 5 points")).toBe(
      lines("when gender is not male and city is 上海, award 5 points"),
    );
    expect(fmt("when spent at least 500 within 90 days and spent >= 500 within 90 days, award 5 points")).toBe(
      lines("when spent at least 500 within 90 days and spent >= 500 within 90 days, award 5 points"),
    );
  });

  it("prints quoted names in double quotes, escaping what needs it", () => {
    expect(fmt(`when brand = 'Head & Shoulders' and city = “上海”, send message 'say "hi"'`)).toBe(
      lines(`when brand = "Head & Shoulders" and city = "上海", send message "say \\"hi\\""`),
    );
    expect(fmt(`when path = "a\\\\b" and note = “a\\b”, send message 'tab\\tand\\nnewline'`)).toBe(
      lines(`when path = "a\\\\b" and note = "a\\\\b", send message "tab\\tand\\nnewline"`),
    );
  });

  it("keeps bare names bare and quoted names quoted", () => {
    expect(fmt(`when bought brand Pantene within 1 day and bought brand "Pantene" within 1 day, send message x`)).toBe(
      lines(`when bought brand Pantene within 1 day and bought brand "Pantene" within 1 day, send message x`),
    );
  });

  it("prints a channel bare when it can be, quoted otherwise", () => {
    expect(fmt(`when tier >= gold, send message x via "SMS" or "WeChat Work" or "or"`)).toBe(
      lines(`when tier >= gold, send message x via sms or "wechat work" or "or"`),
    );
  });

  it("prints units, members and times in the singular exactly when the amount is 1", () => {
    expect(fmt("when birthday within 1 days and joined within 2 day, award 5 points")).toBe(
      lines("when birthday within 1 day and joined within 2 days, award 5 points"),
    );
    expect(fmt("when referred at least 1 members within 1 week, award 5 points")).toBe(
      lines("when referred at least 1 member within 1 week, award 5 points"),
    );
    expect(fmt("when referred at least 2 member and bought exactly 1 times, award 5 points")).toBe(
      lines("when referred at least 2 members and bought exactly 1 time, award 5 points"),
    );
  });

  it("prints limits as once, twice or N times", () => {
    expect(fmt("limit ONCE per members every 1 days\nlimit Twice per member\nlimit 3 time per member every 2 week")).toBe(
      lines("limit once per member every 1 day", "limit twice per member", "limit 3 times per member every 2 weeks"),
    );
  });

  it("prints dates as YYYY-MM-DD, times as HH:MM, percentages as N% and numbers as written", () => {
    expect(fmt("active from 2026-1-5 until 2026-12-31\nschedule every day at 9:05 and 18:30\nholdout 7.50 ％\npriority 007")).toBe(
      lines("active from 2026-01-05 until 2026-12-31", "schedule every day at 09:05, 18:30", "holdout 7.50%", "priority 007"),
    );
  });

  it("keeps the parentheses the author wrote", () => {
    expect(fmt("when ((tier >= gold)) and not (bought anything within 90 days or points > 5), award 5 points")).toBe(
      lines("when ((tier >= gold)) and not (bought anything within 90 days or points > 5), award 5 points"),
    );
  });
});

describe("patron fmt: long sentences", () => {
  /** A rule whose one-line form is exactly `length` characters long. */
  function ruleOfLength(length: number): string {
    const head = 'when tier >= gold, send message "';
    return `${head}${"x".repeat(length - head.length - 1)}"`;
  }

  it("keeps a sentence of 100 characters on one line and breaks one of 101", () => {
    expect(fmt(ruleOfLength(100))).toBe(lines(ruleOfLength(100)));
    const long = ruleOfLength(101);
    expect(fmt(long)).toBe(lines("when tier >= gold,", long.slice("when tier >= gold, ".length)));
  });

  it("counts the indent inside a block", () => {
    const rule = ruleOfLength(98);
    expect(fmt(`campaign c {\n${rule}\n}`)).toBe(lines("campaign c {", `  ${rule}`, "}"));
    const longer = ruleOfLength(99);
    expect(fmt(`campaign c {\n${longer}\n}`)).toBe(
      lines("campaign c {", "  when tier >= gold,", `  ${longer.slice("when tier >= gold, ".length)}`, "}"),
    );
  });

  it("counts characters, not UTF-16 units", () => {
    const rule = `when city = "${"𠮷".repeat(40)}", send message "welcome-new-member" via sms`;
    expect([...rule].length).toBe(97);
    expect(rule.length).toBe(137);
    expect(fmt(rule)).toBe(lines(rule));
  });

  it("breaks a long condition into one conjunct per line, actions on their own line", () => {
    const text =
      'campaign "shampoo-cross-sell" {\n' +
      'when member bought brand "Pantene" within 30 days and tier >= gold and not bought brand "Head & Shoulders" within 90 days, send coupon "HS-20" via sms or wechat\n}';
    expect(fmt(text)).toBe(
      lines(
        'campaign "shampoo-cross-sell" {',
        '  when member bought brand "Pantene" within 30 days',
        "    and tier >= gold",
        '    and not bought brand "Head & Shoulders" within 90 days,',
        '  send coupon "HS-20" via sms or wechat',
        "}",
      ),
    );
  });

  it("breaks at `or` when the top level is a disjunction, keeping groups whole", () => {
    const text =
      'when tier = platinum or tier = diamond or (points > 10000 and bought at least 5 times within 180 days), send message "vip" via wechat';
    expect(fmt(text)).toBe(
      lines(
        "when tier = platinum",
        "  or tier = diamond",
        "  or (points > 10000 and bought at least 5 times within 180 days),",
        'send message "vip" via wechat',
      ),
    );
  });

  it("breaks a long goal and a long segment the same way", () => {
    expect(
      fmt(
        'campaign c {\ngoal bought category "conditioner" within 14 days and spent on category "conditioner" at least 100 within 14 days\n}',
      ),
    ).toBe(
      lines(
        "campaign c {",
        '  goal bought category "conditioner" within 14 days',
        '    and spent on category "conditioner" at least 100 within 14 days',
        "}",
      ),
    );
    expect(
      fmt("segment regulars = bought at least 3 times within 90 days and spent at least 1000 within 90 days and tier < platinum"),
    ).toBe(
      lines(
        "segment regulars = bought at least 3 times within 90 days",
        "  and spent at least 1000 within 90 days",
        "  and tier < platinum",
      ),
    );
  });

  it("joins a sentence the author broke when it fits on one line", () => {
    expect(fmt("when tier >= gold\n   and points > 5,\n  send message x via sms")).toBe(
      lines("when tier >= gold and points > 5, send message x via sms"),
    );
  });
});

describe("patron fmt: comments are never lost", () => {
  it("keeps a comment on its own line before the item that follows it, at its indent", () => {
    expect(fmt("campaign c {\n# the control group\n      holdout 10%\n}")).toBe(
      lines("campaign c {", "  # the control group", "  holdout 10%", "}"),
    );
  });

  it("keeps a trailing comment after the thing it followed, with one space before it", () => {
    expect(fmt("campaign c {\n  holdout 10%          # control group\n}   # end")).toBe(
      lines("campaign c {", "  holdout 10% # control group", "} # end"),
    );
  });

  it("moves a trailing comment inside a long condition to the end of its conjunct line", () => {
    const text = [
      'when member bought brand "Pantene" # the brand',
      "  within 30 days and tier >= gold # only gold and up",
      '  and not bought brand "Head & Shoulders" within 90 days, send coupon "HS-20" via sms or wechat',
    ].join("\n");
    expect(fmt(text)).toBe(
      lines(
        'when member bought brand "Pantene" within 30 days # the brand',
        "  and tier >= gold # only gold and up",
        '  and not bought brand "Head & Shoulders" within 90 days,',
        'send coupon "HS-20" via sms or wechat',
      ),
    );
  });

  it("breaks a short sentence when a comment sits inside it", () => {
    expect(fmt("when tier >= gold, # gold and up\n send message x via sms")).toBe(
      lines("when tier >= gold, # gold and up", "send message x via sms"),
    );
    expect(fmt("when tier >= gold\n  # and the points\n  and points > 5, send message x via sms")).toBe(
      lines("when tier >= gold", "  # and the points", "  and points > 5,", "send message x via sms"),
    );
  });

  it("keeps a short sentence on one line when its comment ends up at the end anyway", () => {
    expect(fmt("when tier >= gold, send message x # the message\n via sms")).toBe(
      lines("when tier >= gold, send message x via sms # the message"),
    );
  });

  it("puts all but the last of several trailing comments that meet on one line above it", () => {
    expect(fmt("holdout # first\n 10% # second")).toBe(lines("# first", "holdout 10% # second"));
  });

  it("keeps comments before a closing brace and at the end of the file", () => {
    expect(fmt("campaign c {\n  holdout 10%\n\n  # TODO: add the rule\n}\n\n\n# the end\n")).toBe(
      lines("campaign c {", "  holdout 10%", "", "  # TODO: add the rule", "}", "", "# the end"),
    );
  });

  it("formats a file of comments only", () => {
    expect(fmt("   # TODO: the Double 11 campaign goes here\n# ask Lily for the coupon code   \n")).toBe(
      lines("# TODO: the Double 11 campaign goes here", "# ask Lily for the coupon code"),
    );
  });
});

describe("patron fmt: empty lines", () => {
  it("puts exactly one empty line between top-level sections", () => {
    expect(
      fmt("segment a = tier >= gold\nsegment b = tier >= silver\n\n\n\ncampaign c {\n  holdout 10%\n}\ncampaign d {\n  holdout 5%\n}"),
    ).toBe(
      lines(
        "segment a = tier >= gold",
        "",
        "segment b = tier >= silver",
        "",
        "campaign c {",
        "  holdout 10%",
        "}",
        "",
        "campaign d {",
        "  holdout 5%",
        "}",
      ),
    );
  });

  it("keeps at most one empty line between items where the author left one, none after { or before }", () => {
    expect(fmt("campaign c {\n\n  holdout 10%\n  priority 1\n\n\n\n  limit once per member\n\n}")).toBe(
      lines("campaign c {", "  holdout 10%", "  priority 1", "", "  limit once per member", "}"),
    );
  });

  it("spaces the loose options and rule of a one-line file like block items", () => {
    expect(fmt("\n\nholdout 10%\nlimit once per member\n\n\nwhen tier >= gold, award 5 points\n\n")).toBe(
      lines("holdout 10%", "limit once per member", "", "when tier >= gold, award 5 points"),
    );
  });

  it("prints an empty file as an empty text", () => {
    expect(formatFile(parseText(""))).toBe("");
    expect(formatFile(parseText("\n  \n"))).toBe("");
  });

  it("writes \\n line ends whatever the input used", () => {
    expect(fmt("holdout 10%\r\n\r\npriority 1\r\n# end\r\n")).toBe(lines("holdout 10%", "", "priority 1", "# end"));
  });
});
