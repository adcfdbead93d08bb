import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { consoleChannel } from "../src/index.js";

describe("the console/file channel", () => {
  it("writes each message as one JSON line with everything a provider would get", async () => {
    const lines: string[] = [];
    const sms = consoleChannel({ name: "sms", write: (l) => lines.push(l) });
    const result = await sms.send({ channel: "sms", key: "c1:2026-11-22:m1", to: "+8613800000001", body: "【丽美】王芳，您好 回TD退订" });
    expect(result).toEqual({ ok: true, providerId: "console:c1:2026-11-22:m1" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      channel: "sms",
      key: "c1:2026-11-22:m1",
      to: "+8613800000001",
      body: "【丽美】王芳，您好 回TD退订",
    });
  });

  it("appends to a file when given one", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "patron-console-")), "outbox.jsonl");
    const email = consoleChannel({ name: "email", file });
    await email.send({ channel: "email", key: "k1", to: "a@example.com", subject: "Hi", text: "Hello" });
    await email.send({ channel: "email", key: "k2", to: "b@example.com", subject: "Hi", text: "Hello" });
    const written = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { key: string });
    expect(written.map((m) => m.key)).toEqual(["k1", "k2"]);
  });

  it("keeps every line whole when the channels of a run share the file, and opens it again after close", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "patron-console-")), "outbox.jsonl");
    const sms = consoleChannel({ name: "sms", file });
    const email = consoleChannel({ name: "email", file });
    const body = "【丽美】".repeat(50); // long lines, multi-byte
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => [
        sms.send({ channel: "sms", key: `s${i}`, to: "+8613800000001", body }),
        email.send({ channel: "email", key: `e${i}`, to: "a@example.com", subject: body, text: body }),
      ]).flat(),
    );
    await sms.close();
    await email.close();
    await sms.send({ channel: "sms", key: "after-close", to: "+8613800000001", body });
    await sms.close();
    const keys = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toHaveLength(401);
    expect(new Set(keys).size).toBe(401);
    expect(keys.at(-1)).toBe("after-close");
  });

  it("refuses a message meant for another channel, permanently", async () => {
    const wechat = consoleChannel({ name: "wechat", write: () => undefined });
    const result = await wechat.send({ channel: "sms", key: "k", to: "+1", body: "x" });
    expect(result).toMatchObject({ ok: false, kind: "permanent", code: "wrong-channel" });
  });
});
