import type { ChannelName } from "@patron/channels";
import type { Db } from "../store/store.js";

/** Where an opt-out (or a re-subscription) came from, as the log records it. */
export type OptOutSource = "provider" | "inbound" | "unsubscribe" | "import" | "operator";

export interface OptOutEvent {
  readonly memberId: string | null;
  readonly channel: ChannelName;
  readonly address?: string;
  readonly action: "opt-out" | "opt-in";
  readonly source: OptOutSource;
  /** e.g. "twilio 21610", the keyword replied, the unsubscribe link. */
  readonly detail?: string;
  readonly at: number;
}

/**
 * Appends to the opt-out log and updates the member's present state in the same transaction
 * (opt_out_current, which planning reads): honoured from the next planning on.
 */
export function recordOptOut(db: Db, event: OptOutEvent): void {
  db.transaction(() => {
    db.prepare("INSERT INTO opt_outs (member_id, channel, address, action, source, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
      event.memberId,
      event.channel,
      event.address ?? null,
      event.action,
      event.source,
      event.detail ?? null,
      event.at,
    );
    if (event.memberId === null) return;
    if (event.action === "opt-out") {
      db.prepare("INSERT OR IGNORE INTO opt_out_current (member_id, channel, since, source) VALUES (?, ?, ?, ?)").run(
        event.memberId,
        event.channel,
        event.at,
        event.source,
      );
    } else {
      db.prepare("DELETE FROM opt_out_current WHERE member_id = ? AND channel = ?").run(event.memberId, event.channel);
    }
  })();
}
