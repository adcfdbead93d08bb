/**
 * Values used when patron.yaml leaves a setting out. The schema's `default`s (shown by editors)
 * repeat some of them; test/defaults.test.ts keeps the two equal.
 */
export const DEFAULTS = {
  region: "other",
  database: "patron.db",
  templates: "templates",
  wechatBaseUrl: "https://api.weixin.qq.com",
  /** No 0/O or 1/I, so a code read aloud or typed from a screenshot is not mistaken. */
  couponAlphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789",
  couponLength: 8,
  /** Twilio's standard opt-out words, plus the Chinese carriers' TD and 退订. */
  // Extra keywords only: the standard ones (STOP …, and TD, T, N, 退订 in cn) always count (engine/src/serve/keywords.ts).
  optOutKeywords: [] as string[],
} as const;
