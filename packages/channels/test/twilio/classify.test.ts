import { describe, expect, it } from "vitest";
import { classifyFailure, parseRetryAfter, redactor } from "../../src/twilio/classify.js";
import { TransportError } from "../../src/twilio/http-client.js";

const context = { credentialSource: "TWILIO_AUTH_TOKEN", now: Date.parse("2026-11-22T10:00:00Z") };

/** The shape the SDK throws for an error answer (RestException / TwilioServiceException). */
function twilioError(status: number, code: number | undefined, message: string, detail?: string): Error {
  return Object.assign(new Error(message), { status, code, ...(detail !== undefined ? { detail } : {}) });
}

describe("Retry-After", () => {
  it("reads seconds and HTTP dates, and ignores anything else", () => {
    expect(parseRetryAfter("12", context.now)).toBe(12_000);
    expect(parseRetryAfter(["3", "9"], context.now)).toBe(3000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 10:00:30 GMT", context.now)).toBe(30_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 09:00:00 GMT", context.now)).toBe(0);
    expect(parseRetryAfter("soon", context.now)).toBeUndefined();
    expect(parseRetryAfter(undefined, context.now)).toBeUndefined();
  });
});

describe("classifying what a Twilio call threw", () => {
  it("keeps an RFC 9457 error's detail in the message", () => {
    expect(classifyFailure(twilioError(400, 21614, "[HTTP 400] Not a mobile number", "+8610 is a landline"), context)).toEqual({
      ok: false,
      kind: "permanent",
      code: "21614",
      message: "Twilio 400 (21614): [HTTP 400] Not a mobile number: +8610 is a landline",
    });
  });

  it("treats 408 like 5xx, and an error without a code by its status", () => {
    expect(classifyFailure(twilioError(408, undefined, "Request Timeout"), context)).toMatchObject({ kind: "temporary", code: "http-408" });
    expect(classifyFailure(twilioError(400, 0, ""), context)).toMatchObject({
      kind: "permanent",
      code: "http-400",
      message: "Twilio 400: [HTTP 400] no message",
    });
  });

  it("treats a 429 without Twilio's code as a rate limit too", () => {
    const result = classifyFailure(twilioError(429, undefined, "slow down"), { ...context, responseHeaders: { "retry-after": "2" } });
    expect(result).toMatchObject({ kind: "temporary", code: "http-429", retryAfterMs: 2000 });
  });

  it("passes transport errors through with their code, and calls anything else unexpected but temporary", () => {
    expect(classifyFailure(new TransportError("EPIPE", "write EPIPE", true), context)).toMatchObject({ kind: "temporary", code: "EPIPE" });
    expect(classifyFailure(new TypeError("boom"), context)).toMatchObject({ kind: "temporary", code: "unexpected" });
  });
});

describe("redaction", () => {
  it("replaces every occurrence of every secret, and ignores empty ones", () => {
    const redact = redactor(["tok", "", "AC1"]);
    expect(redact("AC1 said tok, tok")).toBe("[redacted] said [redacted], [redacted]");
  });
});
