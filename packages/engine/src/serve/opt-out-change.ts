import { recordOptOut, type OptOutEvent } from "../consent/opt-outs.js";
import type { Db } from "../store/store.js";

/**
 * Records an opt-out (or opt-in) when it changes the member's present state: a second STOP, a
 * repeated callback or a second click on the same link appends nothing. An opt-out with no known
 * member (a number no member has) is always recorded: the log is then its only trace; an opt-in
 * with none lifts nothing and is not. Returns whether it was recorded.
 */
export function applyOptOut(db: Db, event: OptOutEvent): boolean {
  if (event.memberId === null && event.action === "opt-in") return false;
  if (event.memberId !== null) {
    const optedOut = db.prepare("SELECT 1 FROM opt_out_current WHERE member_id = ? AND channel = ?").get(event.memberId, event.channel);
    if ((event.action === "opt-out") === (optedOut !== undefined)) return false;
  }
  recordOptOut(db, event);
  return true;
}
