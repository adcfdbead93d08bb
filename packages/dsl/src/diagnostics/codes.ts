/**
 * Every diagnostic code Patron can produce, with a short title. Codes are stable: tools and
 * CI configurations may match on them, so a code is never reused for a different problem.
 *
 *   E0xx  reading the file (characters, strings, numbers)
 *   E1xx  sentence structure (the parser)
 *   E2xx  names (fields, tiers, channels, segments, messages, coupons)
 *   E3xx  values and options (types, dates, percentages, schedules)
 *   E4xx  configuration (patron.yaml)
 *   W5xx  warnings: campaigns that can never match, contradictions, suspicious settings
 *   E6xx  message templates (Handlebars; docs/templates.md)
 *   W6xx  warnings about message templates
 */
export const DIAGNOSTIC_CODES = {
  E001: "unexpected character",
  E002: "unclosed string",
  E003: "invalid number",
  E004: "invalid date",
  E005: "invalid time of day",
  E006: "file is not text",

  E101: "unexpected word",
  E102: "missing part of a sentence",
  E103: "text that starts no campaign, segment or sentence",
  E104: "unclosed parenthesis or brace",
  E106: "more than one campaign sentence outside a block",
  E107: "campaign without a when-sentence",
  E108: "option given twice",
  E109: "condition nested too deeply",

  E201: "unknown member field",
  E202: "unknown tier",
  E203: "unknown channel",
  E204: "unknown segment",
  E205: "unknown message",
  E206: "unknown coupon",
  E207: "no coupon for brand",
  E208: "channel not configured",
  E209: "message has no template for channel",
  E210: "duplicate campaign id",
  E211: "duplicate segment",
  E212: "segment refers to itself",
  E213: "unknown field value",

  E301: "value of the wrong kind",
  E302: "invalid percentage",
  E303: "variants do not add up to 100%",
  E304: "active window ends before it starts",
  E305: "invalid schedule",
  E306: "invalid count or amount",
  E307: "goal is not a purchase condition",
  E308: "empty list",
  E309: "channel named twice",
  E310: "invalid duration unit",

  E401: "configuration file not found",
  E402: "configuration is not valid YAML",
  E403: "configuration value is invalid",
  E404: "configuration refers to a missing file",

  W501: "condition can never hold",
  W502: "conditions contradict each other",
  W503: "window of zero length",
  W504: "holdout keeps every member",
  W505: "condition always holds",
  W506: "empty file",

  E601: "template syntax error",
  E602: "unknown template variable",
  E603: "unknown template helper",
  E604: "template variable has no value here",
  E605: "template expression not supported",

  W601: "SMS longer than one segment",

  // Compliance (E7xx/W7xx): what carriers and WeChat require of marketing (docs/language.md#e701)
  E701: "SMS without the sign name",
  W701: "marketing SMS without opt-out text",
  W702: "WeChat template message used for marketing",
  W703: "marketing campaign with no limit and no cap",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
