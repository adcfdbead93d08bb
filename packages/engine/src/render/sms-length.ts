/*
 * How carriers count an SMS. A text made only of GSM 03.38 characters goes as GSM-7: 160
 * septets in one SMS, 153 per part once it must be split (the concatenation header takes the
 * rest); the characters of the extension table (^ { } \ [ ] ~ | € and form feed) take two septets
 * each. Any other character (Chinese, emoji, curly quotes) makes the whole text UCS-2: 70 UTF-16
 * units in one SMS, 67 per part; a character outside the BMP (most emoji) is two units.
 *
 * Parts are filled the way phones and carriers fill them: a two-septet character or a surrogate
 * pair is never split across two parts, so it moves whole to the next part.
 */

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsLength {
  readonly encoding: SmsEncoding;
  /** In the encoding's units: septets for GSM-7, UTF-16 units for UCS-2. What the limits count. */
  readonly length: number;
  /** How many SMS the text is sent as (billed as); 0 for an empty text. */
  readonly segments: number;
}

export const SMS_LIMITS: Readonly<Record<SmsEncoding, { readonly single: number; readonly perPart: number }>> = {
  "GSM-7": { single: 160, perPart: 153 },
  "UCS-2": { single: 70, perPart: 67 },
};

// The GSM 03.38 default alphabet, in table order (ESC, 0x1B, left out: it is not a character).
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENSION = new Set("\f^{}\\[~]|€");

export function smsLength(text: string): SmsLength {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c));
  const encoding: SmsEncoding = gsm ? "GSM-7" : "UCS-2";
  // The units each character takes: septets, or UTF-16 units (c.length is 2 for a surrogate pair).
  const units = chars.map((c) => (gsm ? (GSM_EXTENSION.has(c) ? 2 : 1) : c.length));
  const length = units.reduce((a, b) => a + b, 0);
  const { single, perPart } = SMS_LIMITS[encoding];
  if (length === 0) return { encoding, length, segments: 0 };
  if (length <= single) return { encoding, length, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > perPart) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return { encoding, length, segments };
}
