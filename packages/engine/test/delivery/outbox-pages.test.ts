import { describe, expect, it } from "vitest";
import type { ChannelName } from "@patron/channels";
import { contentJson, type Decision, type SuppressReason } from "../../src/plan/decide.js";
import type { PlannedMember } from "../../src/plan/members.js";
import { outboxPage, outboxPageWriter, rowCount, type RunKeys } from "../../src/runs/outbox-pages.js";
import { memoryStore } from "../support/store.js";
import { AS_OF, renderFor, SLOT } from "./support.js";

/*
 * A page names the strings its rows repeat (decision, zone, channel, message) by number, at most a
 * few a page: every row must read back with its own strings, also when a page has more of them
 * than it numbers.
 */

const member = (id: string): PlannedMember => ({ seq: 0, id, name: id, points: 0, timezone: null, reach: {}, fields: { id } });

const ZONES = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Taipei",
  "Asia/Tokyo",
  "Asia/Seoul",
  "Asia/Singapore",
  "Europe/London",
  "Europe/Paris",
  "America/New_York",
  "America/Los_Angeles",
  "Australia/Sydney",
];
const CHANNELS: readonly ChannelName[] = ["sms", "email", "wechat"];
const REASONS: readonly SuppressReason[] = ["no-address", "no-consent", "holdout", "frequency-cap", "template-error"];

function decisions(): Decision[] {
  const made: Decision[] = [];
  for (let i = 0; i < 40; i++) {
    const m = member(`m${String(i).padStart(2, "0")}`);
    if (i % 8 === 7) {
      const reason = REASONS[i % REASONS.length] as SuppressReason;
      made.push({ kind: "suppressed", member: m, action: 0, reason, ...(reason === "template-error" ? { detail: "no member.city" } : {}) });
    } else if (i === 38) {
      made.push({ kind: "award", member: m, points: 50, recordRow: true });
    } else {
      const channel = CHANNELS[i % CHANNELS.length] as ChannelName;
      const message = i % 2 === 0 ? "welcome" : "points-statement";
      made.push({
        kind: "send",
        member: m,
        action: i % 3 === 0 ? 1 : 0,
        channel,
        address: `${channel}-address-${i}`,
        message,
        content: renderFor(channel, message, `hi ${m.id}`),
        marketing: i % 2 === 0,
        zone: ZONES[i % ZONES.length] as string,
        ...(i % 5 === 0 ? { deferredUntil: AS_OF + i } : {}),
      });
    }
  }
  return made;
}

/** A row as the outbox should hold it for a decision. */
function expected(d: Decision): Record<string, unknown> {
  const none = {
    zone: null,
    channel: null,
    message: null,
    address: null,
    content: null,
    deferred_until: null,
    not_before: 0,
    marketing: 0,
  };
  if (d.kind === "award") return { ...none, member_id: d.member.id, action: 0, decision: "award-only", state: "suppressed", error: null };
  if (d.kind === "suppressed")
    return { ...none, member_id: d.member.id, action: d.action, decision: d.reason, state: "suppressed", error: d.detail ?? null };
  return {
    member_id: d.member.id,
    action: d.action,
    decision: "send",
    state: "queued",
    marketing: d.marketing ? 1 : 0,
    zone: d.zone,
    deferred_until: d.deferredUntil ?? null,
    not_before: d.deferredUntil ?? 0,
    channel: d.channel,
    message: d.message,
    address: d.address,
    content: contentJson(d.content),
    error: null,
  };
}

describe("outbox pages", () => {
  it("write every row with its own decision, zone, channel and message, past the strings a page numbers", () => {
    const db = memoryStore();
    const id = db
      .prepare(
        "INSERT INTO runs (campaign, slot, as_of, file, state, started_at) VALUES ('c', ?, ?, 'c.campaign', 'planning', 0) RETURNING id",
      )
      .pluck()
      .get(SLOT, AS_OF) as number;
    const run: RunKeys = { id, campaign: "c", slot: SLOT, asOf: AS_OF };
    const made = decisions();
    // 11 zones, 3 channels, 2 messages, 6 decisions: more distinct strings than a page numbers.
    const page = outboxPage(run, made);
    expect(rowCount(page)).toBe(made.length);
    expect(outboxPageWriter(db, run)([page])).toBe(made.length);

    const rows = db
      .prepare(
        `SELECT member_id, action, decision, state, marketing, zone, deferred_until, not_before, channel, message, address, content, error
         FROM outbox WHERE run_id = ? ORDER BY id`,
      )
      .all(id);
    expect(rows).toEqual(made.map(expected));
    expect(db.prepare("SELECT points, source FROM point_lots").all()).toEqual([
      { points: 50, source: "campaign:c@2026-12-05T01:30:00.000Z" },
    ]);
    // Written again (a resumed planning): nothing is added.
    expect(outboxPageWriter(db, run)([outboxPage(run, made)])).toBe(0);
  });
});
