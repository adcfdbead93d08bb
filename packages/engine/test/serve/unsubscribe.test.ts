import { createHmac } from "node:crypto";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { tokenSigner, unsubscribeLinks, unsubscribeToken, verifyUnsubscribeToken } from "../../src/consent/unsubscribe.js";
import { handleUnsubscribe, isOneClickBody, unsubscribePage } from "../../src/serve/unsubscribe.js";
import type { Db } from "../../src/store/store.js";
import { addMember, memoryStore } from "../support/store.js";
import { currentOptOuts, NOW, optOutLog, snapshot } from "./support.js";

const SECRET = "a-long-random-signing-secret";
const settings = { secret: SECRET, business: "丽美 Beauty", region: "us" as const, now: () => NOW };
const link = (m: string, c: "sms" | "email" | "wechat" = "email") => ({ m, c, t: unsubscribeToken(SECRET, m, c) });

describe("one-click unsubscribe", () => {
  let db: Db;
  beforeEach(() => {
    db = memoryStore();
    addMember(db, { id: "e1", email: "ann@example.com", consent_email: true });
  });

  it("shows a confirmation page whose button posts the one-click body, and changes nothing", () => {
    const before = snapshot(db);
    const page = unsubscribePage(db, link("e1"), settings);
    expect(page.status).toBe(200);
    expect(page.contentType).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("Stop receiving marketing emails from 丽美 Beauty?");
    expect(page.body).toContain('<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page.log).toEqual({ result: "confirmation page", member: "e1", channel: "email" });
    expect(snapshot(db)).toBe(before);
  });

  it("opts the member out of the link's channel on the one-click POST, once", () => {
    const done = handleUnsubscribe(db, { ...link("e1"), oneClick: true }, settings);
    expect(done).toMatchObject({ status: 200, log: { result: "opt-out", member: "e1", channel: "email" } });
    expect(done.body).toContain("You will no longer receive marketing emails from 丽美 Beauty.");
    expect(handleUnsubscribe(db, { ...link("e1"), oneClick: true }, settings).log).toMatchObject({ result: "already unsubscribed" });
    expect(optOutLog(db)).toEqual([
      { member_id: "e1", channel: "email", address: null, action: "opt-out", source: "unsubscribe", detail: "one-click unsubscribe link" },
    ]);
    expect(currentOptOuts(db)).toEqual(["e1:email"]);
    expect(unsubscribePage(db, link("e1"), settings).log).toMatchObject({ result: "already unsubscribed" });
  });

  it("speaks Chinese for a business in China", () => {
    const page = unsubscribePage(db, link("e1", "sms"), { ...settings, region: "cn", business: "丽美" });
    expect(page.body).toContain("确定不再接收丽美的营销短信吗？");
    expect(page.body).toContain('<html lang="zh-CN">');
  });

  it("escapes the business name", () => {
    expect(unsubscribePage(db, link("e1"), { ...settings, business: "<b>&Co" }).body).toContain("&#60;b&#62;&#38;Co");
  });

  it("refuses a token for another member or channel, or a missing part, and changes nothing", () => {
    const before = snapshot(db);
    const forged = [
      { ...link("e1"), m: "e2" },
      { ...link("e1"), c: "sms" },
      { ...link("e1"), t: unsubscribeToken("another secret", "e1", "email") },
      { ...link("e1"), t: link("e1").t.slice(1) },
    ];
    for (const request of forged) {
      expect(handleUnsubscribe(db, { ...request, oneClick: true }, settings)).toMatchObject({ status: 403, log: { result: "rejected" } });
      expect(unsubscribePage(db, request, settings).status).toBe(403);
    }
    const malformed = [
      { c: "email", t: "x" },
      { m: "e1", t: "x" },
      { m: "e1", c: "fax", t: "x" },
      { m: "e1", c: "email" },
      { ...link("e1"), m: "x".repeat(257) },
    ];
    for (const request of malformed) {
      expect(handleUnsubscribe(db, { ...request, oneClick: true }, settings)).toMatchObject({ status: 400, log: { result: "malformed" } });
    }
    expect(handleUnsubscribe(db, { ...link("e1"), oneClick: false }, settings)).toMatchObject({
      status: 400,
      log: { reason: "the body is not List-Unsubscribe=One-Click" },
    });
    expect(snapshot(db)).toBe(before);
  });
});

describe("the one-click body", () => {
  it("is List-Unsubscribe=One-Click, form-encoded", () => {
    expect(isOneClickBody("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")).toBe(true);
    expect(isOneClickBody("application/x-www-form-urlencoded; charset=utf-8", "a=1&List-Unsubscribe=One-Click")).toBe(true);
    expect(isOneClickBody("application/x-www-form-urlencoded", "List-Unsubscribe=Two-Clicks")).toBe(false);
    expect(isOneClickBody("text/plain", "List-Unsubscribe=One-Click")).toBe(false);
    expect(isOneClickBody(undefined, "List-Unsubscribe=One-Click")).toBe(false);
  });

  it("or as multipart/form-data", () => {
    const body = ["--XyZ", 'Content-Disposition: form-data; name="List-Unsubscribe"', "", "One-Click", "--XyZ--", ""].join("\r\n");
    expect(isOneClickBody("multipart/form-data; boundary=XyZ", body)).toBe(true);
    expect(isOneClickBody('multipart/form-data; boundary="XyZ"', body)).toBe(true);
    expect(isOneClickBody("multipart/form-data; boundary=Other", body)).toBe(false);
    expect(isOneClickBody("multipart/form-data", body)).toBe(false);
    expect(isOneClickBody("multipart/form-data; boundary=XyZ", body.replace("One-Click", "No"))).toBe(false);
  });
});

describe("unsubscribe links", () => {
  // The links as URL's searchParams.set writes them: what unsubscribeLinks does once per base.
  const reference = (base: string, m: string, c: "sms" | "email" | "wechat") => {
    const url = new URL(base);
    url.searchParams.set("m", m);
    url.searchParams.set("c", c);
    url.searchParams.set("t", unsubscribeToken(SECRET, m, c));
    return url.toString();
  };

  it.each([
    "https://patron.example/unsubscribe",
    "https://patron.example/unsubscribe?",
    "https://patron.example/u/?lang=zh&src=a b",
    "https://patron.example/u?redirect=https%3A%2F%2Fx.example%2F%3Fa%3D1",
    "https://patron.example:8443/u?m=old&x=1",
    "https://patron.example/u#top",
    "https://Patron.Example/%E9%80%80%E8%AE%A2",
  ])("are what URL would make of %s", (base) => {
    const links = unsubscribeLinks(base, SECRET);
    for (const [member, channel] of [
      ["M1", "email"],
      ["王 小明&c=sms", "email"],
      ["a+b/c?d", "sms"],
    ] as const) {
      expect(links(member, channel)).toBe(reference(base, member, channel));
      const url = new URL(links(member, channel));
      expect([url.searchParams.get("m"), url.searchParams.get("c")]).toEqual([member, channel]);
      expect(verifyUnsubscribeToken(SECRET, member, channel, url.searchParams.get("t") ?? "")).toBe(true);
    }
  });
});

describe("a run's token signer", () => {
  // RFC 2104 HMAC as node:crypto computes it: what every token must be.
  const hmacToken = (key: string, member: string, c: string): string =>
    createHmac("sha256", key).update(`${c}\u0000${member}`).digest("base64url").slice(0, 32);

  it("signs as createHmac does, for any secret and member id", () => {
    const channel = fc.constantFrom("sms" as const, "email" as const, "wechat" as const);
    // Secrets of every length around the HMAC block (64 bytes: longer ones are hashed first),
    // ids of any UTF-16 (a lone surrogate becomes U+FFFD in UTF-8 both ways) and any length.
    const secret = fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ unit: "binary", minLength: 1, maxLength: 40 }));
    const id = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ minLength: 200, maxLength: 400 }));
    fc.assert(
      fc.property(secret, fc.array(fc.tuple(id, channel), { minLength: 1, maxLength: 5 }), (key, links) => {
        const sign = tokenSigner(key);
        for (const [member, c] of links) expect(sign(member, c)).toBe(hmacToken(key, member, c));
      }),
      { numRuns: 300 },
    );
  });

  it.each([1, 63, 64, 65, 200])("signs as createHmac does with a secret of %i bytes (longer than 64: hashed first)", (bytes) => {
    for (const key of ["k".repeat(bytes), "密".repeat(Math.ceil(bytes / 3))]) {
      const sign = tokenSigner(key);
      for (const member of ["M0000001", "王 小明", "\ud800x", "x".repeat(300)])
        expect(sign(member, "email")).toBe(hmacToken(key, member, "email"));
    }
  });
});
