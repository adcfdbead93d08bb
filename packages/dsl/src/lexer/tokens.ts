import { createToken, Lexer, type TokenType } from "chevrotain";

/*
 * Tokens of the campaign language.
 *
 * Keywords are case-insensitive and declared with `longer_alt: Identifier`, so `within` is a
 * keyword but `withinX` is a name. Plural and singular forms share a token (`day`/`days`).
 * Many keywords are "soft": they also count as names (category `Name`), so a field or brand
 * called `points` or `brand` still works where the grammar expects a name. Keywords that shape
 * a sentence (`and`, `or`, `not`, `via`, `within`, ...) are never names, so a missing name is
 * reported as missing instead of swallowing the next keyword.
 *
 * Chinese punctuation typed with an input method (，（）“”％) is accepted as its ASCII twin.
 */

// Characters that may appear in a bare word: ASCII letters, digits, `_`, `-`, and non-ASCII
// letters (CJK included) — but not Unicode spaces, general punctuation (U+2000–U+206F), arrows
// and mathematical operators (so `tier≥gold` is three tokens), box drawing and dingbats, CJK
// punctuation (U+3000–U+303F) or full-width punctuation.
const WORD_START =
  "A-Za-z_\\u00C0-\\u167F\\u1681-\\u1FFF\\u2070-\\u218F\\u2460-\\u24FF\\u2C00-\\u2DFF\\u2E80-\\u2FFF\\u3040-\\uFEFE\\uFF10-\\uFF19\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\uFF66-\\uFFEF";
const WORD_PART = `${WORD_START}0-9\\-`;

/** Every token that may stand where a name is expected. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });

export const Identifier = createToken({
  name: "Identifier",
  pattern: new RegExp(`[${WORD_START}][${WORD_PART}]*`),
  categories: [Name],
});

/** A name that begins with digits, such as the SKU 85123A. */
export const CodeWord = createToken({
  name: "CodeWord",
  pattern: /\d+[A-Za-z_][A-Za-z0-9_-]*/,
  categories: [Name],
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'|“[^”\r\n]*”/,
});
/** A string whose closing quote is missing: the lexer turns it into a diagnostic and a string. */
export const UnclosedString = createToken({ name: "UnclosedString", pattern: /"(?:[^"\\\r\n]|\\.)*|'(?:[^'\\\r\n]|\\.)*|“[^”\r\n]*/ });

export const DateLiteral = createToken({ name: "DateLiteral", pattern: /\d{4}-\d{1,2}-\d{1,2}/ });
export const TimeLiteral = createToken({ name: "TimeLiteral", pattern: /\d{1,2}:\d{2}/ });
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)*/ });

export const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=|≥/ });
export const LessEqual = createToken({ name: "LessEqual", pattern: /<=|≤/ });
export const NotEqual = createToken({ name: "NotEqual", pattern: /!=|<>|≠/ });
export const Greater = createToken({ name: "GreaterThan", pattern: />/ });
export const Less = createToken({ name: "LessThan", pattern: /</ });
export const Equals = createToken({ name: "Equals", pattern: /==?/ });
export const Percent = createToken({ name: "Percent", pattern: /[%％]/ });
export const Comma = createToken({ name: "Comma", pattern: /[,，]/ });
export const LParen = createToken({ name: "LParen", pattern: /[(（]/ });
export const RParen = createToken({ name: "RParen", pattern: /[)）]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });

/** The keywords, in the spelling shown to users (for "did you mean" and error messages). */
export const KEYWORD_SPELLINGS = new Map<TokenType, string>();

function keyword(word: string, options: { plural?: string; soft?: boolean } = {}): TokenType {
  const forms = options.plural ? `${word}|${options.plural}` : word;
  // Longest form first so `days` is not lexed as `day` + `s`.
  const sorted = forms
    .split("|")
    .sort((a, b) => b.length - a.length)
    .join("|");
  const token = createToken({
    name: word.charAt(0).toUpperCase() + word.slice(1),
    pattern: new RegExp(sorted, "i"),
    longer_alt: Identifier,
    categories: options.soft ? [Name] : [],
  });
  KEYWORD_SPELLINGS.set(token, word);
  return token;
}

// Structure
export const Campaign = keyword("campaign", { soft: true });
export const Segment = keyword("segment", { soft: true });
export const When = keyword("when");
export const Send = keyword("send");
export const Award = keyword("award");
export const Via = keyword("via");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const MemberKw = keyword("member", { plural: "members" });

// Options
export const Description = keyword("description", { soft: true });
export const Schedule = keyword("schedule", { soft: true });
export const Every = keyword("every");
export const Cron = keyword("cron", { soft: true });
export const Active = keyword("active", { soft: true });
export const From = keyword("from");
export const Until = keyword("until");
export const Holdout = keyword("holdout", { soft: true });
export const Limit = keyword("limit", { soft: true });
export const Once = keyword("once");
export const Twice = keyword("twice");
export const Per = keyword("per");
export const Priority = keyword("priority", { soft: true });
export const Goal = keyword("goal", { soft: true });

// Conditions
export const Bought = keyword("bought");
export const Spent = keyword("spent");
export const Last = keyword("last", { soft: true });
export const Purchase = keyword("purchase", { soft: true });
export const Of = keyword("of");
export const On = keyword("on");
export const Ago = keyword("ago");
export const Brand = keyword("brand", { soft: true });
export const Category = keyword("category", { soft: true });
export const Sku = keyword("sku", { soft: true });
export const Anything = keyword("anything");
export const Points = keyword("points", { soft: true });
export const Expiring = keyword("expiring");
export const Joined = keyword("joined", { soft: true });
export const Birthday = keyword("birthday", { soft: true });
export const Referred = keyword("referred");
export const Within = keyword("within");
export const Between = keyword("between");
export const In = keyword("in");
export const Is = keyword("is");
export const At = keyword("at");
export const Least = keyword("least");
export const Most = keyword("most");
export const More = keyword("more");
export const Less_ = keyword("less");
export const Than = keyword("than");
export const Exactly = keyword("exactly");
export const Times = keyword("time", { plural: "times" });
export const True = keyword("true");
export const False = keyword("false");

// Durations
export const Hour = keyword("hour", { plural: "hours" });
export const Day = keyword("day", { plural: "days" });
export const Week = keyword("week", { plural: "weeks" });
export const MonthKw = keyword("month", { plural: "months" });
export const Year = keyword("year", { plural: "years" });

// Actions
export const Message = keyword("message", { soft: true });
export const Coupon = keyword("coupon", { soft: true });
export const For = keyword("for");

const keywordTokens = [...KEYWORD_SPELLINGS.keys()];

/** Order matters: the first pattern that matches wins (keywords before Identifier). */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  UnclosedString,
  DateLiteral,
  TimeLiteral,
  CodeWord,
  NumberLiteral,
  GreaterEqual,
  LessEqual,
  NotEqual,
  Greater,
  Less,
  Equals,
  Percent,
  Comma,
  LParen,
  RParen,
  LBrace,
  RBrace,
  ...keywordTokens,
  Identifier,
  Name,
];

/** The spelling of any token type, for messages: keywords as written, others described. */
export function describeTokenType(type: TokenType): string {
  const kw = KEYWORD_SPELLINGS.get(type);
  if (kw) return `"${kw}"`;
  switch (type) {
    case Comma:
      return `","`;
    case LParen:
      return `"("`;
    case RParen:
      return `")"`;
    case LBrace:
      return `"{"`;
    case RBrace:
      return `"}"`;
    case Percent:
      return `"%"`;
    case Equals:
      return `"="`;
    case StringLiteral:
      return "a quoted text";
    case NumberLiteral:
      return "a number";
    case DateLiteral:
      return "a date (YYYY-MM-DD)";
    case TimeLiteral:
      return "a time of day (HH:MM)";
    case Identifier:
    case Name:
    case CodeWord:
      return "a name";
    default:
      return type.name;
  }
}
