import nodemailer from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeSmtp, type FakeSmtp } from "../../../../test/support/fake-smtp.js";

// The fake server is shared with the end-to-end tests: its fault plan and counters must do what they say.
describe("the fake SMTP server", () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp();
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  // A fresh connection per message (no pool), so each send is one session and one transaction.
  const send = async (subject: string): Promise<string> => {
    const transport = nodemailer.createTransport({ host: fake.host, port: fake.port, secure: false, ignoreTLS: true, socketTimeout: 2000 });
    try {
      const info = await transport.sendMail({ from: "a@lumiere.example", to: "b@example.com", subject, text: subject });
      return info.response.slice(0, 3);
    } catch (error) {
      return String((error as { responseCode?: number; code?: string }).responseCode ?? (error as { code?: string }).code);
    } finally {
      transport.close();
    }
  };

  it("applies the plan by transaction index, the queued faults first", async () => {
    fake.setFaultPlan((i) => (i % 2 === 1 ? { at: "data", code: 451 } : undefined));
    fake.failNext({ at: "rcpt", code: 550 }, 2);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await send(`m${i}`));
    expect(outcomes).toEqual(["550", "550", "250", "451", "250", "451"]);
    expect(fake.messages.map((m) => [m.index, m.subject])).toEqual([
      [2, "m2"],
      [4, "m4"],
    ]);
    expect(fake.stats()).toMatchObject({ transactions: 6, totalSessions: 6 });
  });

  it("drops the connection without recording; a slow reply still records", async () => {
    fake.failNext({ kind: "drop" });
    fake.failNext({ kind: "slow", ms: 200 });
    expect(await send("dropped")).toBe("ECONNECTION");
    const started = Date.now();
    expect(await send("slow")).toBe("250");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fake.messages.map((m) => m.subject)).toEqual(["slow"]);
  });

  it("waitForMessages gives up with a message saying how many arrived", async () => {
    await expect(fake.waitForMessages(1, 50)).rejects.toThrow("0 of 1 messages arrived within 50 ms");
  });
});
