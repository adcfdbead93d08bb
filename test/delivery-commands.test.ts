import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { childEnv, patron as patronAsync, query } from "./support/delivery-project.js";
import { expectGolden } from "./support/golden.js";
import { startFakeSmtp, type FakeSmtp } from "./support/fake-smtp.js";
import { startFakeTwilio, type FakeTwilio } from "./support/fake-twilio.js";
import { startFakeWechat, type FakeWechat } from "./support/fake-wechat.js";

// dry-run, run and schedule end to end, through the built binary, on test/fixtures/delivery: six
// members and two campaigns. By hand, from members.csv:
//   nightly (schedule every day at 09:00; tier >= gold; via wechat or sms or email)
//     audience d1..d5 = 5; d5 has no address (no-address 1); d4 has a phone but no consent
//     (no-consent 1); d1 → wechat (first listed with consent), d2 → sms, d3 → email.
//   adhoc (no schedule; tier < gold; via sms): d6 → sms.
// The as-of instants lie in the past: the dispatcher sends a message once the wall clock reaches
// the instant it was planned for, so a future as-of would leave everything waiting.
const root = join(import.meta.dirname, "..");
const bin = join(root, "packages/cli/bin/patron.js");
const fixture = join(import.meta.dirname, "fixtures/delivery");
const expected = join(fixture, "expected");
const AS_OF = "2026-11-20T09:30:00+08:00";
const NEXT_DAY = "2026-11-21T09:30:00+08:00";

/** The provider credentials of patron.yaml, removed from the child's environment unless a test sets them. */
interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function patron(args: string[], cwd: string, env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: childEnv(env) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the fixture project with its members imported into patron.db. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-delivery-"));
  cpSync(fixture, dir, { recursive: true, filter: (src) => !src.startsWith(expected) });
  const imported = patron(["import", "members", "members.csv", "--format", "json"], dir);
  expect(imported.code, imported.stderr).toBe(0);
  expect(JSON.parse(imported.stdout)).toMatchObject({ read: 6, inserted: 6, rejected: 0 });
  return dir;
}

function rowCount(dir: string, table: "outbox" | "runs"): number {
  return (query<{ n: number }>(dir, `SELECT count(*) AS n FROM ${table}`)[0] as { n: number }).n;
}

/** Every outbox row as member:decision:channel:state, in member order (suppressed members are recorded too). */
function outboxRows(dir: string): string[] {
  const rows = query<{ member_id: string; decision: string; channel: string | null; state: string }>(
    dir,
    "SELECT member_id, decision, channel, state FROM outbox ORDER BY member_id, id",
  );
  return rows.map((r) => `${r.member_id}:${r.decision}:${r.channel ?? "-"}:${r.state}`);
}

const OUTBOX_AFTER_FIRST_RUN = [
  "d1:send:wechat:sent",
  "d2:send:sms:sent",
  "d3:send:email:sent",
  "d4:no-consent:-:suppressed",
  "d5:no-address:-:suppressed",
  "d6:send:sms:sent",
];

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A sent message as the file channel writes it, without the time it was written. */
function withoutTime(line: Record<string, unknown>): Record<string, unknown> {
  const { at, ...rest } = line;
  expect(typeof at).toBe("string");
  return rest;
}

const NIGHTLY_FUNNEL = {
  audience: 5,
  suppressed: { holdout: 0, "no-address": 1, "no-consent": 1, limit: 0, "frequency-cap": 0, "coupon-exhausted": 0, "template-error": 0 },
  planned: { sms: 1, email: 1, wechat: 1 },
  deferred: 0,
  awarded: 0,
};
const ADHOC_FUNNEL = {
  audience: 1,
  suppressed: { holdout: 0, "no-address": 0, "no-consent": 0, limit: 0, "frequency-cap": 0, "coupon-exhausted": 0, "template-error": 0 },
  planned: { sms: 1, email: 0, wechat: 0 },
  deferred: 0,
  awarded: 0,
};

/** The slot keys: the nightly slot is 09:00 in Shanghai; an unscheduled campaign's is the start of the day. */
const NIGHTLY_SLOT = "2026-11-20T01:00:00.000Z";
const ADHOC_SLOT = "2026-11-19T16:00:00.000Z";

const NIGHTLY_MESSAGES = [
  {
    channel: "wechat",
    key: `nightly/${NIGHTLY_SLOT}/d1`,
    to: "oW1-openid-d1",
    templateId: "tpl-hello",
    data: { first: "王芳，您好", keyword1: "1200" },
  },
  { channel: "sms", key: `nightly/${NIGHTLY_SLOT}/d2`, to: "+8613800000002", body: "【Delivery】李娜，您的积分是 300" },
  {
    channel: "email",
    key: `nightly/${NIGHTLY_SLOT}/d3`,
    to: "wei@example.com",
    subject: "张伟，您的积分",
    text: "您好 张伟，您有 5000 积分。",
  },
];
const ADHOC_MESSAGE = { channel: "sms", key: `adhoc/${ADHOC_SLOT}/d6`, to: "+8613800000006", body: "【Delivery】刘洋，您的积分是 10" };

/** Order-independent comparison of sent messages (channels send concurrently). */
function byKey(messages: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return [...messages].sort((a, b) => String(a["key"]).localeCompare(String(b["key"])));
}

describe("patron dry-run", () => {
  it("prints the funnel and samples of every campaign, and writes nothing to the database", () => {
    const dir = project();
    const r = patron(["dry-run", "--as-of", AS_OF], dir);
    expect(r.code, r.stderr).toBe(0);
    expectGolden(join(expected, "dry-run.txt"), r.stdout);
    // The numbers the golden holds, computed by hand (see the top of this file).
    expect(r.stdout).toMatch(/nightly \(nightly\.campaign\)\n {2}audience +5\n/);
    expect(r.stdout).toContain("= messages planned                    3  (sms 1, email 1, wechat 1)");
    expect(r.stdout).toContain("= messages planned                    1  (sms 1)");
    expect(rowCount(dir, "outbox")).toBe(0);
    expect(rowCount(dir, "runs")).toBe(0);
  });

  it("--format json: the stable shape with exact funnels and masked sample addresses", () => {
    const dir = project();
    const r = patron(["dry-run", "nightly.campaign", "--as-of", AS_OF, "--format", "json", "--samples", "1"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      asOf: AS_OF,
      campaigns: [
        {
          campaign: "nightly",
          file: "nightly.campaign",
          funnel: NIGHTLY_FUNNEL,
          // --samples 1: one per message and channel, so one on each of the three channels.
          samples: [
            {
              memberId: "d1",
              memberName: "王芳",
              channel: "wechat",
              message: "hello",
              to: "oW1-****d-d1",
              content: { channel: "wechat", templateId: "tpl-hello", data: { first: "王芳，您好", keyword1: "1200" } },
            },
            {
              memberId: "d2",
              memberName: "李娜",
              channel: "sms",
              message: "hello",
              to: "+86138****0002",
              content: { channel: "sms", body: "【Delivery】李娜，您的积分是 300" },
            },
            {
              memberId: "d3",
              memberName: "张伟",
              channel: "email",
              message: "hello",
              to: "w**@example.com",
              content: { channel: "email", subject: "张伟，您的积分", text: "您好 张伟，您有 5000 积分。" },
            },
          ],
          templateErrors: [],
        },
      ],
    });
    expect(rowCount(dir, "outbox")).toBe(0);
    expect(rowCount(dir, "runs")).toBe(0);
  });

  it("--samples 0 shows no sample", () => {
    const dir = project();
    const r = patron(["dry-run", "adhoc.campaign", "--as-of", AS_OF, "--format", "json", "--samples", "0"], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { campaigns: { funnel: unknown; samples: unknown[] }[] };
    expect(report.campaigns.map((c) => [c.funnel, c.samples])).toEqual([[ADHOC_FUNNEL, []]]);
  });

  it("--format html writes one report with a funnel chart and the previews of every campaign", () => {
    const dir = project();
    const r = patron(["dry-run", "--as-of", AS_OF, "--format", "html", "--out", "report.html"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("wrote report.html: 2 campaigns, nothing sent");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html.match(/<svg [^>]*aria-label="funnel"/g)).toHaveLength(2);
    expect(html).toContain("Delivery Shop — dry run");
    for (const text of [
      "nightly",
      "adhoc",
      "王芳，您好",
      "【Delivery】李娜，您的积分是 300",
      "张伟，您的积分",
      "【Delivery】刘洋，您的积分是 10",
    ])
      expect(html).toContain(text);
    // Previews carry masked addresses only.
    expect(html).not.toContain("+8613800000002");
    expect(rowCount(dir, "outbox")).toBe(0);
    expect(rowCount(dir, "runs")).toBe(0);
  });
});

describe("patron run --send-to", () => {
  it("writes exactly the planned messages, once: a second run adds nothing", () => {
    const dir = project();
    const first = patron(["run", "--as-of", AS_OF, "--send-to", "sent.jsonl"], dir);
    expect(first.code, first.stderr).toBe(0);
    const sent = jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8"));
    expect(byKey(sent.map(withoutTime))).toEqual(byKey([ADHOC_MESSAGE, ...NIGHTLY_MESSAGES]));
    // Count per channel equals the funnels': sms 1 + 1, email 1, wechat 1.
    const perChannel = (channel: string): number => sent.filter((m) => m["channel"] === channel).length;
    expect([perChannel("sms"), perChannel("email"), perChannel("wechat")]).toEqual([2, 1, 1]);
    expect(first.stdout).toContain("nightly — slot 2026-11-20T09:00:00+08:00\n");
    expect(first.stdout).toContain("adhoc — slot 2026-11-20T00:00:00+08:00\n");
    expect(first.stdout.trim().split("\n").at(-1)).toBe("sent 4, failed 0, retried 0");
    expect(outboxRows(dir)).toEqual(OUTBOX_AFTER_FIRST_RUN);
    expect(rowCount(dir, "runs")).toBe(2);

    const again = patron(["run", "--as-of", AS_OF, "--send-to", "sent.jsonl"], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8"))).toHaveLength(4);
    expect(again.stdout).toContain("nightly — slot 2026-11-20T09:00:00+08:00 (planned before: nothing added)");
    expect(again.stdout).toContain("adhoc — slot 2026-11-20T00:00:00+08:00 (planned before: nothing added)");
    expect(again.stdout.trim().split("\n").at(-1)).toBe("sent 0, failed 0, retried 0");
    expect(outboxRows(dir)).toEqual(OUTBOX_AFTER_FIRST_RUN);
  });

  it("four runs of the same slots started together send every message once", async () => {
    const dir = project();
    const runs = await Promise.all([1, 2, 3, 4].map(() => patronAsync(["run", "--as-of", AS_OF, "--send-to", "sent.jsonl"], dir)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const sent = jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8"));
    // Planning is idempotent per (run, member, send) and each row is claimed by one process only.
    expect(byKey(sent.map(withoutTime))).toEqual(byKey([ADHOC_MESSAGE, ...NIGHTLY_MESSAGES]));
    expect(rowCount(dir, "runs")).toBe(2);
    expect(outboxRows(dir)).toEqual(OUTBOX_AFTER_FIRST_RUN);
  });

  it("--due skips a campaign without a schedule and runs the due one", () => {
    const dir = project();
    const r = patron(["run", "--due", "--as-of", AS_OF, "--send-to", "sent.jsonl", "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout).map(withoutTime);
    expect(events.find((e) => e["event"] === "skipped")).toEqual({
      event: "skipped",
      campaign: "adhoc",
      reason: "has no schedule (run it by name)",
    });
    expect(events.filter((e) => e["event"] === "planned")).toEqual([
      {
        event: "planned",
        campaign: "nightly",
        slot: "2026-11-20T09:00:00+08:00",
        runId: 1,
        alreadyPlanned: false,
        resumed: false,
        funnel: NIGHTLY_FUNNEL,
      },
    ]);
    expect(events.at(-1)).toMatchObject({ event: "finished", sent: 3, failed: 0, retried: 0, waiting: 0, runs: [1] });
    expect(byKey(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8")).map(withoutTime))).toEqual(byKey(NIGHTLY_MESSAGES));

    // Run by name, the unscheduled campaign runs.
    const byName = patron(["run", "adhoc.campaign", "--as-of", AS_OF, "--send-to", "sent.jsonl"], dir);
    expect(byName.code, byName.stderr).toBe(0);
    expect(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8")).map(withoutTime)).toContainEqual(ADHOC_MESSAGE);
  });
});

describe("patron run against the providers", () => {
  let servers: { twilio: FakeTwilio; smtp: FakeSmtp; wechat: FakeWechat } | undefined;
  afterEach(async () => {
    if (servers) await Promise.all([servers.twilio.close(), servers.smtp.close(), servers.wechat.close()]);
    servers = undefined;
  });

  /** patron.yaml of the fixture with every channel pointed at a fake server of this process. */
  function pointAtFakes(dir: string, s: { twilio: FakeTwilio; smtp: FakeSmtp; wechat: FakeWechat }): void {
    const yaml = readFileSync(join(dir, "patron.yaml"), "utf8")
      .replace(
        "    authToken: { env: TWILIO_AUTH_TOKEN }\n",
        `    authToken: { env: TWILIO_AUTH_TOKEN }\n    baseUrl: "${s.twilio.baseUrl}"\n`,
      )
      .replace("    host: smtp.delivery.example\n    port: 465\n", `    host: 127.0.0.1\n    port: ${s.smtp.port}\n    secure: false\n`)
      .replace(
        "    appSecret: { env: WECHAT_APP_SECRET }\n",
        `    appSecret: { env: WECHAT_APP_SECRET }\n    baseUrl: "${s.wechat.baseUrl}"\n`,
      );
    expect(yaml).toContain(s.twilio.baseUrl);
    expect(yaml).toContain(`port: ${s.smtp.port}`);
    expect(yaml).toContain(s.wechat.baseUrl);
    writeFileSync(join(dir, "patron.yaml"), yaml);
  }

  async function start(): Promise<{ twilio: FakeTwilio; smtp: FakeSmtp; wechat: FakeWechat }> {
    servers = { twilio: await startFakeTwilio(), smtp: await startFakeSmtp(), wechat: await startFakeWechat() };
    return servers;
  }

  function credentials(s: { twilio: FakeTwilio; wechat: FakeWechat }): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: s.twilio.accountSid,
      TWILIO_AUTH_TOKEN: s.twilio.authToken,
      WECHAT_APP_ID: s.wechat.appId,
      WECHAT_APP_SECRET: s.wechat.appSecret,
    };
  }

  it("delivers exactly the planned messages, retrying a Twilio 500 once", async () => {
    const dir = project();
    const s = await start();
    pointAtFakes(dir, s);
    s.twilio.failNext({ status: 500 });

    const r = await patronAsync(["run", "--as-of", AS_OF], dir, credentials(s));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("sent 4, failed 0, retried 1");

    // SMS: d2 (nightly) and d6 (adhoc), each once, although one request met a 500 first.
    expect(s.twilio.messages.map((m) => ({ to: m.to, from: m.from, body: m.body })).sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      { to: "+8613800000002", from: "+861012345678", body: "【Delivery】李娜，您的积分是 300" },
      { to: "+8613800000006", from: "+861012345678", body: "【Delivery】刘洋，您的积分是 10" },
    ]);
    expect(s.twilio.requestCount).toBeGreaterThanOrEqual(3);

    expect(s.smtp.messages).toHaveLength(1);
    const mail = s.smtp.messages[0];
    expect(mail?.to).toEqual(["wei@example.com"]);
    expect(mail?.from).toEqual({ name: "Delivery Shop", address: "club@delivery.example" });
    expect(mail?.subject).toBe("张伟，您的积分");
    expect(mail?.text?.trim()).toBe("您好 张伟，您有 5000 积分。");

    expect(s.wechat.messages.map((m) => ({ touser: m.touser, template_id: m.template_id, data: m.data }))).toEqual([
      { touser: "oW1-openid-d1", template_id: "tpl-hello", data: { first: { value: "王芳，您好" }, keyword1: { value: "1200" } } },
    ]);

    expect(outboxRows(dir)).toEqual(OUTBOX_AFTER_FIRST_RUN);

    // Nothing more on a second run: every slot was sent.
    const again = await patronAsync(["run", "--as-of", AS_OF], dir, credentials(s));
    expect(again.code, again.stderr).toBe(0);
    expect([s.twilio.messages.length, s.smtp.messages.length, s.wechat.messages.length]).toEqual([2, 1, 1]);
  });

  it("exits 2 naming a missing credential variable, before planning anything", async () => {
    const dir = project();
    const s = await start();
    pointAtFakes(dir, s);
    const { TWILIO_AUTH_TOKEN: _omitted, ...rest } = credentials(s);
    const r = await patronAsync(["run", "--as-of", AS_OF], dir, rest);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("channels.sms.authToken in patron.yaml names the environment variable TWILIO_AUTH_TOKEN, which is not set");
    expect(rowCount(dir, "runs")).toBe(0);
    expect(rowCount(dir, "outbox")).toBe(0);
    expect(s.twilio.requestCount + s.wechat.sendRequests + s.smtp.stats().transactions).toBe(0);
  });
});

describe("patron schedule --once", () => {
  it("runs what is due once; a second look at the same instant sends nothing more", () => {
    const dir = project();
    const first = patron(["schedule", "--once", "--as-of", AS_OF, "--send-to", "sent.jsonl", "--format", "json"], dir);
    expect(first.code, first.stderr).toBe(0);
    const events = jsonLines(first.stdout).map(withoutTime);
    expect(events).toContainEqual({ event: "skipped", campaign: "adhoc", reason: "has no schedule (run it by name)" });
    expect(events.filter((e) => e["event"] === "planned").map((e) => [e["campaign"], e["slot"], e["funnel"]])).toEqual([
      ["nightly", "2026-11-20T09:00:00+08:00", NIGHTLY_FUNNEL],
    ]);
    expect(events).toContainEqual({ event: "sent", sent: 3, failed: 0, waiting: 0 });
    expect(events).toContainEqual({ event: "next", slot: "2026-11-21T09:00:00+08:00" });
    expect(byKey(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8")).map(withoutTime))).toEqual(byKey(NIGHTLY_MESSAGES));

    const second = patron(["schedule", "--once", "--as-of", AS_OF, "--send-to", "sent.jsonl", "--format", "json"], dir);
    expect(second.code, second.stderr).toBe(0);
    const again = jsonLines(second.stdout).map(withoutTime);
    expect(again).toContainEqual({ event: "skipped", campaign: "nightly", reason: "its latest slot has run already" });
    expect(again.filter((e) => e["event"] === "planned" || e["event"] === "sent")).toEqual([]);
    expect(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8"))).toHaveLength(3);
    expect(rowCount(dir, "runs")).toBe(1);

    // The next day's slot is due the next day, once.
    const nextDay = patron(["schedule", "--once", "--as-of", NEXT_DAY, "--send-to", "sent.jsonl", "--format", "json"], dir);
    expect(nextDay.code, nextDay.stderr).toBe(0);
    expect(jsonLines(nextDay.stdout).map(withoutTime)).toContainEqual({ event: "sent", sent: 3, failed: 0, waiting: 0 });
    expect(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8"))).toHaveLength(6);
    expect(existsSync(join(dir, "patron.db"))).toBe(true);
  });

  it("two schedulers on one database: one works, the other waits for the lease; nothing is sent twice", async () => {
    const dir = project();
    const args = ["schedule", "--once", "--as-of", AS_OF, "--send-to", "sent.jsonl", "--format", "json"];
    const both = await Promise.all([patronAsync(args, dir), patronAsync(args, dir)]);
    for (const r of both) expect(r.code, r.stderr).toBe(0);
    const events = both.map((r) => jsonLines(r.stdout).map((e) => e["event"]));
    // Either one held the lease while the other looked (it waits), or they looked one after the other.
    const waited = events.filter((e) => e.includes("waiting")).length;
    expect(waited === 1 || events.every((e) => !e.includes("waiting"))).toBe(true);
    expect(byKey(jsonLines(readFileSync(join(dir, "sent.jsonl"), "utf8")).map(withoutTime))).toEqual(byKey(NIGHTLY_MESSAGES));
    expect(rowCount(dir, "runs")).toBe(1);
  });
});
