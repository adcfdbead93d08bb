import { EOF, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { suggest } from "../diagnostics/suggest.js";
import * as T from "../lexer/tokens.js";

/**
 * Chevrotain asks this provider for the text of each syntax error. Chevrotain carries errors as
 * plain strings, so the provider encodes the structured parts (code, message, help) as JSON and
 * parse.ts decodes them into diagnostics. Nothing outside the parser sees this encoding.
 *
 * The wording is for marketers: say what was expected in their words, never in grammar terms,
 * and put the fix in `help` (a keyword the typo is closest to, an example of the expected form).
 */
export interface EncodedSyntaxError {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly help?: string;
  /**
   * Where the mistake is, as file offsets, when that is not the token chevrotain stopped at:
   * in `points expring within 30 days` chevrotain stops at `points` (no alternative fits the
   * two words), but the word to underline is `expring`.
   */
  readonly start?: number;
  readonly end?: number;
}

/** What each grammar rule stands for, in words a marketer uses. */
const RULE_WORDS: Record<string, string> = {
  file: 'a campaign, a segment, or a sentence starting with "when"',
  campaignItem: 'an option (description, schedule, active, holdout, limit, priority, goal) or a sentence starting with "when"',
  campaignBlock: 'an option or a sentence starting with "when"',
  atom: "a condition (for example: bought brand A within 30 days, tier >= gold, points > 1000)",
  negation: "a condition (for example: bought brand A within 30 days, tier >= gold, points > 1000)",
  conjunction: "a condition",
  condition: "a condition",
  comparison: "a comparison: =, !=, <, <=, >, >=, is, in (…), or between … and …",
  compareOperator: "a comparison: =, !=, <, <=, >, >=",
  action: "an action: send message …, send coupon …, or award N points",
  sendAction: "what to send: message NAME, coupon NAME, or coupon for brand NAME",
  awardAction: "award N points",
  unit: "a unit of time: hours, days, weeks, months or years",
  duration: "a length of time, for example 30 days",
  window: "a window, for example within 30 days",
  quantity: "an amount, for example at least 3 or >= 500",
  quantifier: "at least, at most, more than, less than or exactly",
  itemFilter: "what was bought: brand NAME, category NAME, sku NAME, or anything",
  value: "a value: a number, a date (YYYY-MM-DD), or a name",
  valueList: 'a list in parentheses, for example ("北京", "上海")',
  name: "a name (a word, or text in double quotes)",
  scheduleOption: 'a schedule, for example: every day at 09:30, or cron "0 9 * * *"',
  everySchedule: "a schedule, for example: every day at 09:30, every monday at 10:00, every 2 hours",
  cronSchedule: "a cron expression in double quotes",
  limitOption: "a limit, for example: once per member every 30 days",
  activeOption: "an active window: from YYYY-MM-DD until YYYY-MM-DD",
  holdoutOption: "a percentage, for example 10%",
  percentage: "a percentage, for example 10%",
  variants: 'message variants, for example ("a" 50%, "b" 50%)',
  variant: 'a message variant: NAME and its share, for example "short" 50%',
  lastPurchaseCondition: "how long ago, for example: more than 60 days ago",
  pointsExpiringCondition: "a window and an amount, for example: within 30 days >= 500",
  referredCondition: "how many, for example: at least 1 member within 30 days",
  segmentCondition: "segment NAME",
  segmentDecl: "segment NAME = condition",
  rule: "a sentence: when CONDITION, ACTION",
};

/** An example of each form, shown as help when nothing more specific can be said. */
const RULE_EXAMPLES: Record<string, string> = {
  descriptionOption: 'description "Lapsed VIPs get 50 CNY back"',
  scheduleOption: "schedule every day at 09:30",
  everySchedule: "schedule every day at 09:30",
  cronSchedule: 'schedule cron "30 9 * * *"',
  activeOption: "active from 2026-12-01 until 2026-12-31",
  holdoutOption: "holdout 10%",
  limitOption: "limit once per member every 30 days",
  priorityOption: "priority 10",
  goalOption: 'goal bought brand "Head & Shoulders" within 14 days',
  boughtCondition: "bought brand A at least 3 times within 90 days",
  spentCondition: "spent on brand A at least 200 within 90 days",
  lastPurchaseCondition: "last purchase more than 60 days ago",
  pointsExpiringCondition: "points expiring within 30 days >= 500",
  joinedCondition: "joined within 14 days",
  birthdayCondition: "birthday within 7 days",
  referredCondition: "referred at least 1 member within 30 days",
  segmentCondition: "member in segment lapsed_vip",
  segmentDecl: "segment lapsed_vip = tier >= platinum and not bought anything within 90 days",
  comparison: 'tier >= gold, city in ("北京", "上海"), age between 25 and 35',
  window: "within 30 days",
  duration: "30 days",
  unit: "within 30 days",
  sendAction: 'send message "welcome" via sms',
  awardAction: "award 500 points",
  variants: 'send message ("short" 50%, "long" 50%) via sms',
  variant: '"short" 50%',
  valueList: 'city in ("北京", "上海")',
  itemFilter: 'bought brand "Pantene" within 30 days',
  quantity: "spent at least 500 within 90 days",
  quantifier: "last purchase more than 60 days ago",
  rule: 'when bought brand A within 30 days, send message "thanks" via sms',
  action: 'send message "welcome" via sms',
};

function exampleHelp(ruleName: string): string | undefined {
  const example = RULE_EXAMPLES[ruleName];
  return example ? `for example: ${example}` : undefined;
}

function describe(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  const image = token.image.length > 40 ? `${token.image.slice(0, 37)}…` : token.image;
  return `"${image}"`;
}

const PLURAL = new Set(["day", "hour", "week", "month", "year", "time", "member"]);
const ALL_KEYWORDS = [...T.KEYWORD_SPELLINGS.keys()];

function spellings(types: readonly TokenType[]): string[] {
  return types
    .map((type) => T.KEYWORD_SPELLINGS.get(type))
    .filter((s): s is string => s !== undefined)
    .flatMap((s) => (PLURAL.has(s) ? [s, `${s}s`] : [s]));
}

interface Typo {
  readonly keyword: string;
  /** The keyword is one the grammar expected here (not just any keyword). */
  readonly expected: boolean;
}

/**
 * A misspelt keyword lexes as a name. Suggest the closest keyword the grammar expected here,
 * else the closest keyword at all (the typo may be in a word the parser had not reached yet:
 * in `bought brand A withn 30 days` the grammar expects the comma, but the typo is `within`).
 */
function keywordTypo(actual: IToken, expected: readonly TokenType[]): Typo | undefined {
  // Only plain words: `member_0` or `vip2` are names someone chose, not a misspelt keyword.
  if (actual.tokenType !== T.Identifier || !/^\p{L}+$/u.test(actual.image)) return undefined;
  const near = suggest(actual.image, spellings(expected));
  if (near) return { keyword: near, expected: true };
  const any = suggest(actual.image, spellings(ALL_KEYWORDS));
  return any ? { keyword: any, expected: false } : undefined;
}

function didYouMean(typo: Typo | undefined): string | undefined {
  return typo ? `did you mean "${typo.keyword}"?` : undefined;
}

const BLOCK_STARTERS = [T.Description, T.Schedule, T.Active, T.Holdout, T.Limit, T.Priority, T.Goal, T.When];
const FILE_STARTERS = [T.Campaign, T.Segment, ...BLOCK_STARTERS];
const CONDITION_RULES = new Set(["condition", "conjunction", "negation", "atom"]);

const NOT_HELP = '"not" goes in front of the condition it negates, for example: not bought brand A within 90 days';
const ACTIONS_JOIN_HELP =
  'to try another channel write "or" (via sms or email); to do one more thing write "and" (… via sms and award 500 points)';

/** Words left over after a complete sentence or option, and what they were probably meant for. */
function strayWordHelp(actual: IToken): string | undefined {
  if (actual.tokenType === T.Comma) return ACTIONS_JOIN_HELP;
  if (/^to$/i.test(actual.image)) return 'an active window is written with "until": active from 2026-12-01 until 2026-12-31';
  return undefined;
}

function notAllParsed(actual: IToken): EncodedSyntaxError {
  const typo = keywordTypo(actual, FILE_STARTERS);
  if (typo && !typo.expected) {
    // A typo in the middle of a sentence (`vai sms`): the sentence ended before it, but telling
    // the marketer that a campaign or segment was expected would send them the wrong way.
    return { code: "E103", message: `unexpected word "${actual.image}"`, help: `did you mean "${typo.keyword}"?` };
  }
  const help =
    didYouMean(typo) ??
    (actual.tokenType === T.Not ? NOT_HELP : undefined) ??
    (actual.tokenType === T.RBrace ? 'this "}" closes nothing: remove it, or add the campaign "NAME" { line it belongs to' : undefined) ??
    strayWordHelp(actual) ??
    'a campaign file holds sentences such as: when bought brand A within 30 days, send message "x" via sms';
  // A comma here follows a complete sentence: it is meant to join a second action.
  const message =
    actual.tokenType === T.Comma
      ? 'unexpected ","'
      : actual.tokenType === T.RBrace
        ? 'unexpected "}": no campaign is open here'
        : `unexpected ${describe(actual)}: expected ${RULE_WORDS["file"]}`;
  return { code: "E103", message, help };
}

function encode(error: EncodedSyntaxError): string {
  return JSON.stringify(error);
}

/** Units a marketer may reach for that the language does not have, and what to write instead. */
const UNIT_HINTS: Record<string, string> = {
  天: "days",
  日: "days",
  小时: "hours",
  周: "weeks",
  星期: "weeks",
  月: "months",
  个月: "months",
  年: "years",
};

function unitError(actual: IToken, previous: IToken, expected: readonly TokenType[]): EncodedSyntaxError {
  const word = actual.image;
  if (!tokenMatcher(actual, T.Name)) {
    // `within 30, send …`: the unit is missing, not misspelt.
    const after = previous.tokenType === T.NumberLiteral ? ` after "${previous.image}"` : "";
    return {
      code: "E102",
      message: `expected a unit of time${after}: hours, days, weeks, months or years, found ${describe(actual)}`,
      help: `for example: within ${previous.tokenType === T.NumberLiteral ? previous.image : "30"} days`,
    };
  }
  const typo = keywordTypo(actual, expected);
  const hint = UNIT_HINTS[word];
  const amount = previous.tokenType === T.NumberLiteral ? `${previous.image} ` : "";
  const help = hint
    ? `write the unit in English: ${amount}${hint}`
    : /^(minutes?|mins?|seconds?|secs?)$/i.test(word)
      ? "the shortest unit is hours: write within 1 hour, or within 1 day"
      : (didYouMean(typo) ?? "units are hours, days, weeks, months or years");
  return { code: "E310", message: `"${word}" is not a unit of time: expected hours, days, weeks, months or years`, help };
}

/** How far the tokens in front of the parser follow some expected path: the first word that fits no path. */
function firstMisfit(paths: readonly (readonly TokenType[])[], actual: readonly IToken[]): number {
  let depth = 0;
  for (const path of paths) {
    let i = 0;
    while (i < path.length && i < actual.length && tokenMatcher(actual[i] as IToken, path[i] as TokenType)) i++;
    depth = Math.max(depth, i);
  }
  return Math.min(depth, Math.max(0, actual.length - 1));
}

/**
 * When the word that does not fit is on a later line, what is missing belongs at the end of the
 * line before (`holdout 10` then `when …` on the next line: the "%" goes after 10). Returns the
 * place to point at, or undefined when the two words share a line.
 */
function endOfLineBefore(actual: IToken, previous: IToken | undefined): { start: number; end: number } | undefined {
  if (!previous || previous.tokenType === EOF || Number.isNaN(previous.startOffset) || actual.tokenType === EOF) return undefined;
  if ((actual.startLine ?? 0) <= (previous.endLine ?? previous.startLine ?? 0)) return undefined;
  const end = previous.startOffset + previous.image.length;
  return { start: end, end };
}

function at(token: IToken): { start?: number; end?: number } {
  if (token.tokenType === EOF || Number.isNaN(token.startOffset)) return {};
  return { start: token.startOffset, end: token.startOffset + token.image.length };
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }): string {
    if (expected === EOF) return encode(notAllParsed(actual));
    const want = T.describeTokenType(expected);

    if (expected === T.Comma && ruleName === "rule") {
      if (actual.tokenType === T.Not) {
        return encode({ code: "E101", message: `"not" cannot come after "${previous.image}"`, help: NOT_HELP });
      }
      if (actual.tokenType === T.In) {
        // `bought brand A in the last 30 days`
        return encode({
          code: "E101",
          message: 'unexpected "in"',
          help: 'a time window is written with "within", for example: bought brand A within 30 days',
        });
      }
      const typo = keywordTypo(actual, [T.And, T.Or]);
      if (typo && !typo.expected) {
        // `bought brand A withn 30 days`: the sentence could end after `A`, so the grammar
        // wanted a comma, but the marketer meant `within`; say so, not "expected a comma".
        return encode({ code: "E101", message: `unexpected word "${actual.image}"`, help: `did you mean "${typo.keyword}"?` });
      }
      const lineEnd = endOfLineBefore(actual, previous);
      return encode({
        code: "E102",
        message: lineEnd
          ? `expected a comma between the audience and the action after "${previous.image}"`
          : `expected a comma between the audience and the action, found ${describe(actual)}`,
        help: didYouMean(typo) ?? 'end the condition with a comma, then say what to do: when …, send message "…" via sms',
        ...lineEnd,
      });
    }

    if (expected === T.RBrace && ruleName === "campaignBlock") {
      if (actual.tokenType === EOF) {
        return encode({
          code: "E104",
          message: 'the campaign is not closed: the file ends before its "}"',
          help: 'add "}" at the end of the campaign',
        });
      }
      if (actual.tokenType === T.Campaign || actual.tokenType === T.Segment) {
        // Point where the "}" belongs, at the end of the open campaign: that is where the fix
        // goes, and it keeps the mistake with the campaign that has it, not the next one.
        const end = previous.startOffset + previous.image.length;
        return encode({
          code: "E104",
          message: `the campaign is not closed: expected "}" before the next ${actual.tokenType === T.Campaign ? "campaign" : "segment"} (line ${actual.startLine ?? "?"})`,
          help: 'add "}" here, at the end of the campaign',
          start: end,
          end,
        });
      }
      // Inside a block, a word that starts no option is most often a misspelt option.
      const typo = keywordTypo(actual, BLOCK_STARTERS);
      return encode({
        code: "E101",
        message: `expected ${RULE_WORDS["campaignItem"]}, found ${describe(actual)}`,
        help:
          didYouMean(typo) ??
          strayWordHelp(actual) ??
          (actual.tokenType === T.Not ? NOT_HELP : undefined) ??
          'or close the campaign with "}"',
      });
    }

    if (expected === T.RParen) {
      return encode({
        code: "E104",
        message: `expected ")" to close what was opened, found ${describe(actual)}`,
        help: 'every "(" needs a matching ")"',
      });
    }

    if (actual.tokenType === EOF) {
      const help = exampleHelp(ruleName);
      return encode({ code: "E102", message: `the file ends in the middle of a sentence: expected ${want}`, ...(help ? { help } : {}) });
    }
    const typo = keywordTypo(actual, [expected]);
    const help =
      didYouMean(typo) ??
      (expected === T.And && ruleName === "comparison" ? "write between LOW and HIGH, for example: age between 25 and 35" : undefined) ??
      (actual.tokenType === T.Not ? NOT_HELP : undefined) ??
      numberWordHelp(actual, ruleName) ??
      (expected === T.Percent
        ? `write percentages with a % sign, for example ${previous.tokenType === T.NumberLiteral ? previous.image : "10"}%`
        : undefined) ??
      (expected === T.Times && previous.tokenType === T.NumberLiteral
        ? `write "${previous.image} ${previous.image === "1" ? "time" : "times"} per member", or "once per member"`
        : undefined) ??
      (expected === T.LParen && previous.tokenType === T.In && actual.tokenType === T.NumberLiteral
        ? `a time window is written with "within", for example: within ${actual.image} days`
        : undefined) ??
      exampleHelp(ruleName);
    const lineEnd = typo ? undefined : endOfLineBefore(actual, previous);
    return encode({
      code: "E101",
      message:
        typo && !typo.expected
          ? `unexpected word "${actual.image}"`
          : lineEnd
            ? `expected ${want} after "${previous.image}"`
            : `expected ${want}, found ${describe(actual)}`,
      ...(help ? { help } : {}),
      ...lineEnd,
    });
  },

  buildNotAllInputParsedMessage({ firstRedundant }): string {
    return encode(notAllParsed(firstRedundant));
  },

  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }): string {
    const paths = expectedPathsPerAlt.flat();
    const first = actual[0];
    if (!first || first.tokenType === EOF) {
      const channel = ruleName === "name" && (previous.tokenType === T.Via || previous.tokenType === T.Or);
      const help = channel ? "name a channel, for example: via sms or wechat" : exampleHelp(ruleName);
      return encode({
        code: "E102",
        message: `the file ends in the middle of a sentence: expected ${channel ? `a channel after "${previous.image}"` : (RULE_WORDS[ruleName] ?? "more")}`,
        ...(help ? { help } : {}),
      });
    }
    // The word to underline: a misspelt keyword where the alternatives part ways, else the first
    // word that fits none of them (`points expring`: `points` fits, `expring` does not).
    const misfit = keywordTypo(first, firstTokens(paths)) ? 0 : firstMisfit(paths, actual);
    const token = actual[misfit] ?? first;
    const fits = (path: readonly TokenType[]): boolean =>
      actual.slice(0, misfit).every((t, i) => path[i] !== undefined && tokenMatcher(t, path[i] as TokenType));
    const expectedHere = firstTokens(paths.filter(fits).map((p) => p.slice(misfit)));
    // Past the first word, say what the alternatives still expect there (`tier gold`: an operator).
    const words =
      misfit > 0 && expectedHere.includes(T.GreaterEqual)
        ? `${RULE_WORDS["comparison"]}${expectedHere.includes(T.Expiring) ? ', or "expiring"' : ""}`
        : (RULE_WORDS[ruleName] ?? expectedHere.map(T.describeTokenType).join(", "));
    const where = misfit > 0 ? at(token) : {};

    if (ruleName === "unit")
      return encode({ ...unitError(token, misfit === 0 ? previous : (actual[misfit - 1] ?? previous), expectedHere), ...where });
    if (ruleName === "value" && token.tokenType === T.RParen && previous.tokenType === T.LParen) {
      return encode({
        code: "E308",
        message: "the list is empty",
        help: 'put the values in the parentheses, for example: city in ("北京", "上海")',
      });
    }
    const typo = keywordTypo(token, expectedHere);
    if (CONDITION_RULES.has(ruleName) && misfit === 0 && !typo) {
      const after =
        previous.tokenType === T.When || previous.tokenType === T.And || previous.tokenType === T.Or || previous.tokenType === T.Not;
      const lead = after ? `expected a condition after "${previous.image}"` : `expected ${words}`;
      if (token.tokenType === T.Send || token.tokenType === T.Award) {
        return encode({
          code: "E101",
          message: `${lead}, found ${describe(token)}`,
          help:
            previous.tokenType === T.And
              ? `the action comes after a comma: write ", ${token.image}" instead of "and ${token.image}"`
              : `say whom to send it to first: when CONDITION, ${token.image} …`,
        });
      }
      if (previous.tokenType === T.Not) {
        return encode({ code: "E101", message: `${lead}, found ${describe(token)}`, help: NOT_HELP });
      }
      if (after && token.tokenType === T.Comma) {
        return encode({
          code: "E101",
          message: `${lead}, found ","`,
          help: `finish the condition after "${previous.image}", or remove "${previous.image}"`,
        });
      }
    }
    if (ruleName === "name" && misfit === 0 && (previous.tokenType === T.Via || previous.tokenType === T.Or)) {
      return encode({
        code: token.tokenType === EOF ? "E102" : "E101",
        message: `expected a channel after "${previous.image}", found ${describe(token)}`,
        help: "name a channel, for example: via sms or wechat",
      });
    }

    const help =
      didYouMean(typo) ??
      (token.tokenType === T.Not ? NOT_HELP : undefined) ??
      numberWordHelp(token, ruleName) ??
      alternativeHelp(token, previous, ruleName) ??
      (misfit === 1 && expectedHere.includes(T.GreaterEqual)
        ? `compare the two, for example: ${first.image} ${token.tokenType === T.NumberLiteral ? ">=" : "="} ${token.image}`
        : undefined) ??
      exampleHelp(ruleName);
    return encode({
      code: "E101",
      message: typo && !typo.expected ? `unexpected word "${token.image}"` : `expected ${words}, found ${describe(token)}`,
      ...(help ? { help } : {}),
      ...where,
    });
  },

  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }): string {
    const first = actual[0];
    const token = first ?? ({ image: "", tokenType: EOF } as unknown as IToken);
    const expected = firstTokens(expectedIterationPaths);
    const words = RULE_WORDS[ruleName] ?? expected.map(T.describeTokenType).join(", ");
    const help = didYouMean(keywordTypo(token, expected));
    return encode({ code: "E101", message: `expected ${words}, found ${describe(token)}`, ...(help ? { help } : {}) });
  },
};

/** Help for a few near misses where no alternative fits, written with the author's own words. */
function alternativeHelp(token: IToken, previous: IToken, ruleName: string): string | undefined {
  // `spent 500 within 90 days`, `referred 1 member`: the number is there, the comparison is not.
  if ((ruleName === "quantity" || ruleName === "quantifier") && token.tokenType === T.NumberLiteral) {
    const n = token.image;
    return `say how it compares: at least ${n}, more than ${n}, exactly ${n}, or >= ${n}`;
  }
  // `send "welcome" via sms`: what is sent is missing.
  if (ruleName === "sendAction" && (token.tokenType === T.StringLiteral || tokenMatcher(token, T.Name))) {
    return `say what it is: send message ${token.image}, or send coupon ${token.image}`;
  }
  // `tier is in (gold, platinum)`
  if (ruleName === "value" && token.tokenType === T.In && previous.tokenType === T.Is) {
    return 'leave out "is": put in (…) right after the field, for example: city in ("北京", "上海")';
  }
  return undefined;
}

/** Keywords (or punctuation) that could come first on each path. */
function firstTokens(paths: readonly (readonly TokenType[])[]): TokenType[] {
  const out = new Set<TokenType>();
  for (const path of paths) {
    const first = path[0];
    if (first) out.add(first);
  }
  return [...out];
}

/** `30days` is one word to the lexer, `３０` is full-width digits; say how to fix them. */
function numberWordHelp(token: IToken, ruleName: string): string | undefined {
  if (token.tokenType === T.CodeWord && /^\d+[a-z]+$/i.test(token.image)) {
    const [, n, word] = /^(\d+)([a-z]+)$/i.exec(token.image) ?? [];
    return `put a space between the number and the word: ${n} ${word}`;
  }
  const halfWidth = token.image.normalize("NFKC");
  if (halfWidth !== token.image && /^\d+$/.test(halfWidth)) {
    return `these are full-width digits: type ${halfWidth} with the keyboard in English (half-width) mode`;
  }
  if (ruleName === "duration") {
    // `within days`, `within thirty days`: the number is missing or in words.
    return T.KEYWORD_SPELLINGS.has(token.tokenType)
      ? `say how many, in digits: for example 30 ${token.image}`
      : "write the number in digits, for example: within 30 days";
  }
  return undefined;
}

export function decodeSyntaxError(text: string): EncodedSyntaxError {
  try {
    const parsed = JSON.parse(text) as EncodedSyntaxError;
    if (typeof parsed.code === "string" && typeof parsed.message === "string") return parsed;
  } catch {
    // fall through: a message chevrotain built itself
  }
  return { code: "E101", message: text };
}
