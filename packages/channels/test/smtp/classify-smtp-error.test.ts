import { describe, expect, it } from "vitest";
import { classifySmtpError, SETTINGS_PAUSE_MS, type SmtpErrorContext } from "../../src/smtp/classify-smtp-error.js";

const NOW = 1_800_000_000_000;
const context: SmtpErrorContext = {
  server: "smtp.lumiere.example:587",
  redact: (t) => t.split("hunter2").join("[redacted]"),
  now: () => NOW,
};
const smtpError = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields["message"] ?? "failed")), fields);

// The cases a real server cannot easily be made to produce; the common ones run against the fake server.
describe("classifySmtpError", () => {
  it("takes a reply without an enhanced status by its code alone", () => {
    expect(
      classifySmtpError(smtpError({ code: "EENVELOPE", responseCode: 550, response: "550 No such user here" }), context),
    ).toMatchObject({
      kind: "permanent",
      code: "550",
      message: "SMTP server smtp.lumiere.example:587 rejected the message: 550 No such user here",
    });
  });

  it("retries 503 (bad sequence of commands): the session was confused, the message was not judged", () => {
    expect(
      classifySmtpError(smtpError({ code: "EPROTOCOL", responseCode: 503, response: "503 5.5.1 Bad sequence" }), context),
    ).toMatchObject({
      kind: "temporary",
      code: "503 5.5.1",
    });
  });

  it("retries a temporary login failure (454) like any login failure: paused", () => {
    expect(classifySmtpError(smtpError({ code: "EAUTH", responseCode: 454, response: "454 4.7.0 Try later" }), context)).toMatchObject({
      kind: "temporary",
      code: "454 4.7.0",
      pauseChannelUntil: NOW + SETTINGS_PAUSE_MS,
    });
  });

  it("pauses on settings that cannot work, without a reply", () => {
    for (const fields of [
      { code: "ECONFIG" },
      { code: "ETLS" },
      { code: "ESOCKET", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT" },
      { code: "ENOAUTH" },
    ]) {
      expect(classifySmtpError(smtpError(fields), context)).toMatchObject({
        kind: "temporary",
        pauseChannelUntil: NOW + SETTINGS_PAUSE_MS,
      });
    }
  });

  it("names the system's code under nodemailer's for connection failures, and does not pause", () => {
    const result = classifySmtpError(smtpError({ code: "ESOCKET", originalCode: "ECONNRESET", message: "read ECONNRESET" }), context);
    expect(result).toEqual({
      ok: false,
      kind: "temporary",
      code: "ECONNRESET",
      message: "could not complete the exchange with SMTP server smtp.lumiere.example:587: read ECONNRESET",
    });
    expect(classifySmtpError(smtpError({ code: "EDNS", message: "getaddrinfo ENOTFOUND" }), context)).toMatchObject({
      kind: "temporary",
      code: "EDNS",
    });
  });

  it("gives up on a message nodemailer cannot build a transaction from", () => {
    expect(classifySmtpError(smtpError({ code: "EENVELOPE", message: "No recipients defined" }), context)).toMatchObject({
      kind: "permanent",
      code: "EENVELOPE",
    });
  });

  it("retries what it does not recognise, and redacts every text it copies", () => {
    expect(classifySmtpError("socket hang up", context)).toMatchObject({ kind: "temporary", code: "unknown" });
    expect(classifySmtpError(smtpError({ code: "EAUTH", responseCode: 535, response: "535 bad hunter2" }), context)).toMatchObject({
      message: expect.stringContaining("(535 bad [redacted])") as string,
    });
  });
});
