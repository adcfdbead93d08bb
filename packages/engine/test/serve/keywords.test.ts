import { describe, expect, it } from "vitest";
import { matchReply, normalizeReply, replyKeywords } from "../../src/serve/keywords.js";
import { phoneForms } from "../../src/serve/members-by-address.js";
import { parseForm } from "../../src/serve/form.js";

describe("reply keywords", () => {
  const cn = replyKeywords("cn", []);
  const us = replyKeywords("us", []);

  it("honours Twilio's words in every region and China's T, N, TD and 退订 only there", () => {
    for (const word of ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]) {
      expect(matchReply(word, cn)).toEqual({ action: "opt-out", keyword: word });
      expect(matchReply(word, us)).toEqual({ action: "opt-out", keyword: word });
    }
    for (const word of ["TD", "T", "N", "退订"]) {
      expect(matchReply(word, cn)).toEqual({ action: "opt-out", keyword: word });
      expect(matchReply(word, us)).toBeUndefined();
    }
    for (const word of ["START", "UNSTOP", "YES"]) expect(matchReply(word, us)).toEqual({ action: "opt-in", keyword: word });
  });

  it("adds patron.yaml's optOutKeywords, normalized like replies", () => {
    const configured = replyKeywords("us", ["arrêt", " Basta! "]);
    expect(matchReply("ARRÊT", configured)).toEqual({ action: "opt-out", keyword: "ARRÊT" });
    expect(matchReply("basta", configured)).toEqual({ action: "opt-out", keyword: "BASTA" });
    expect(matchReply("basta", us)).toBeUndefined();
  });

  it("lets stopping win when a word is configured as an opt-out word too", () => {
    expect(matchReply("yes", replyKeywords("us", ["YES"]))).toEqual({ action: "opt-out", keyword: "YES" });
  });

  it("matches the whole reply, ignoring case, width, spaces and punctuation around it", () => {
    expect(matchReply("  stop. ", us)?.keyword).toBe("STOP");
    expect(matchReply("Stop!!", us)?.keyword).toBe("STOP");
    expect(matchReply("ＴＤ", cn)?.keyword).toBe("TD");
    expect(matchReply("退订。", cn)?.keyword).toBe("退订");
    expect(matchReply("【退订】", cn)?.keyword).toBe("退订");
    expect(matchReply("td", cn)?.keyword).toBe("TD");
    expect(matchReply("please stop", us)).toBeUndefined();
    expect(matchReply("STOP IT", us)).toBeUndefined();
    expect(matchReply("不要退订", cn)).toBeUndefined();
    expect(matchReply("TT", cn)).toBeUndefined();
    expect(matchReply("", cn)).toBeUndefined();
    expect(matchReply("...", cn)).toBeUndefined();
  });

  it("normalizes to upper case without the punctuation around", () => {
    expect(normalizeReply(" ｓｔｏｐ！ ")).toBe("STOP");
    expect(normalizeReply("un-stop")).toBe("UN-STOP");
  });
});

describe("phone forms", () => {
  it("tries a number as given, without its plus, and in the business's national form", () => {
    expect(phoneForms("+8613800000001", "cn")).toEqual(["+8613800000001", "8613800000001", "13800000001"]);
    expect(phoneForms("+14155550100", "us")).toEqual(["+14155550100", "14155550100", "4155550100"]);
    expect(phoneForms("+14155550100", "cn")).toEqual(["+14155550100", "14155550100"]);
    expect(phoneForms("+4915112345678", "eu")).toEqual(["+4915112345678", "4915112345678"]);
    expect(phoneForms("95588", "cn")).toEqual(["95588"]);
  });
});

describe("form bodies", () => {
  it("reads each field once, decoded", () => {
    const parsed = parseForm("From=%2B8613800000001&Body=%E9%80%80%E8%AE%A2&Empty=");
    expect(parsed).toEqual({ params: { From: "+8613800000001", Body: "退订", Empty: "" } });
  });

  it("refuses a field named twice", () => {
    expect(parseForm("Body=a&Body=b")).toEqual({ error: "Body is given twice" });
  });

  it("keeps a field named __proto__ as a field", () => {
    const parsed = parseForm("__proto__=x");
    expect("params" in parsed && parsed.params["__proto__"]).toBe("x");
  });
});
