import { describe, expect, it } from "vitest";
import { smsLength } from "../../src/render/sms-length.js";

const a = (n: number): string => "a".repeat(n);

describe("SMS length as carriers count it", () => {
  it("sends nothing for an empty text", () => {
    expect(smsLength("")).toEqual({ encoding: "GSM-7", length: 0, segments: 0 });
  });

  it("fits 160 GSM characters in one SMS and 153 per part beyond", () => {
    expect(smsLength(a(160))).toEqual({ encoding: "GSM-7", length: 160, segments: 1 });
    expect(smsLength(a(161))).toEqual({ encoding: "GSM-7", length: 161, segments: 2 });
    expect(smsLength(a(306))).toEqual({ encoding: "GSM-7", length: 306, segments: 2 });
    expect(smsLength(a(307))).toEqual({ encoding: "GSM-7", length: 307, segments: 3 });
  });

  it("counts the extension characters ^{}\\[~]|€ twice: one € pushes 159 characters over 160", () => {
    expect(smsLength(`${a(158)}€`)).toEqual({ encoding: "GSM-7", length: 160, segments: 1 });
    expect(smsLength(`${a(159)}€`)).toEqual({ encoding: "GSM-7", length: 161, segments: 2 });
    expect(smsLength("^{}\\[~]|€").length).toBe(18);
  });

  it("never splits an extension character across two parts", () => {
    // 306 septets would fit two parts of 153, but the { (2 septets) cannot start at septet 153.
    expect(smsLength(`${a(152)}{${a(152)}`)).toEqual({ encoding: "GSM-7", length: 306, segments: 3 });
  });

  it("keeps the accented letters of the GSM alphabet in GSM-7, and not the others", () => {
    expect(smsLength("Café à Paris: 10£, ¿Año? ¡Olé!").encoding).toBe("GSM-7");
    expect(smsLength("Ça coûte 10€").encoding).toBe("UCS-2"); // û is not in the GSM alphabet
    expect(smsLength("It’s here").encoding).toBe("UCS-2"); // a curly apostrophe
  });

  it("sends Chinese as UCS-2: 70 characters in one SMS, 67 per part beyond", () => {
    const text = "【丽美】王小明，您有1500积分将于2026年12月22日到期，当前共12345积分，可在丽美小程序兑换小样或抵扣现金。";
    expect(smsLength(text)).toEqual({ encoding: "UCS-2", length: 60, segments: 1 });
    expect(smsLength("丽".repeat(70))).toEqual({ encoding: "UCS-2", length: 70, segments: 1 });
    expect(smsLength("丽".repeat(71))).toEqual({ encoding: "UCS-2", length: 71, segments: 2 });
    expect(smsLength("丽".repeat(134))).toEqual({ encoding: "UCS-2", length: 134, segments: 2 });
    expect(smsLength("丽".repeat(135))).toEqual({ encoding: "UCS-2", length: 135, segments: 3 });
  });

  it("counts an emoji outside the BMP as two UTF-16 units, never split across parts", () => {
    expect(smsLength(`${a(68)}😀`)).toEqual({ encoding: "UCS-2", length: 70, segments: 1 });
    expect(smsLength(`${a(69)}😀`)).toEqual({ encoding: "UCS-2", length: 71, segments: 2 });
    expect(smsLength(`${a(66)}😀${a(66)}`)).toEqual({ encoding: "UCS-2", length: 134, segments: 3 });
    // One emoji makes the whole text UCS-2: 100 Latin letters become two SMS instead of one.
    expect(smsLength(`${a(100)}🎁`).segments).toBe(2);
  });
});
