/**
 * Delivery: runs, the outbox, opt-outs and leases.
 *
 * - A run is one campaign at one due slot (UNIQUE campaign, slot): planning the same slot again
 *   finds the run and adds nothing.
 * - The outbox holds one row per member the run decided about, sent or not: `decision` is
 *   "send" or the reason the member got nothing (no-address, no-consent, holdout, …), so the
 *   funnel of a run and "one decision per (campaign, member, run)" are the same table.
 *   UNIQUE (run_id, member_id, action) is the idempotency key (action: which `send` of the rule,
 *   0 for the first); the key given to providers is derived from it (campaign, slot, member).
 * - state: queued → sending → sent | failed, or suppressed (decision is not "send"). A row is
 *   claimed (sending, claimed_by) before its send and settled after it; a row left sending by a
 *   process that died is settled by the next dispatcher (see dispatch/recover.ts).
 * - not_before (epoch ms) holds a message back: retry backoff, quiet hours, a paused channel.
 * - planned_for is the run's as-of (the moment the message is for) and marketing says whether its
 *   message is an offer: frequency caps and campaign limits count these rows (state aside from
 *   failed), so decisions of earlier runs and of campaigns earlier in the same run both count.
 *   zone is the member's time zone, for quiet hours at send time; deferred_until records that
 *   planning held the message for quiet hours (not_before changes later with retries).
 * - opt_outs is the append-only log (who, which channel, from where); opt_out_current is its
 *   present state, one row per member and channel that has opted out, kept in the same
 *   transaction as the log, so planning tests one indexed row instead of replaying the log.
 * - coupon_codes holds every code issued (PRIMARY KEY code: unique across all coupons), with the
 *   member, run and expiry, written in the same transaction as the outbox row carrying it;
 *   coupon_pool holds the codes of pool files, loaded once, handed out in file order.
 * - leases name a holder (owner id, pid, host) and an expiry; a holder renews before it runs
 *   out. A lease whose holder is a dead process on this host may be taken at once.
 */
export const DELIVERY = `
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  campaign     TEXT NOT NULL,
  slot         INTEGER NOT NULL,
  as_of        INTEGER NOT NULL,
  file         TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('planning', 'planned')),
  started_at   INTEGER NOT NULL,
  planned_at   INTEGER,
  audience     INTEGER,
  UNIQUE (campaign, slot)
);

CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  member_id    TEXT NOT NULL,
  action       INTEGER NOT NULL DEFAULT 0,
  decision     TEXT NOT NULL,
  marketing    INTEGER NOT NULL DEFAULT 0,
  planned_for  INTEGER NOT NULL DEFAULT 0,
  zone         TEXT,
  deferred_until INTEGER,
  channel      TEXT,
  message      TEXT,
  address      TEXT,
  content      TEXT,
  state        TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
  not_before   INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  claimed_by   TEXT,
  claimed_at   INTEGER,
  provider     TEXT,
  provider_id  TEXT,
  error_code   TEXT,
  error        TEXT,
  sent_at      INTEGER,
  delivery     TEXT,
  UNIQUE (run_id, member_id, action)
);
CREATE INDEX outbox_queue ON outbox (channel, not_before) WHERE state = 'queued';
CREATE INDEX outbox_sending ON outbox (claimed_by) WHERE state = 'sending';
CREATE INDEX outbox_member_recent ON outbox (member_id, planned_for) WHERE decision = 'send';
CREATE INDEX outbox_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;

-- patron serve finds the member behind an inbound reply or a WeChat event by address.
CREATE INDEX members_phone ON members (phone) WHERE phone IS NOT NULL;
CREATE INDEX members_wechat_openid ON members (wechat_openid) WHERE wechat_openid IS NOT NULL;

CREATE TABLE opt_outs (
  id           INTEGER PRIMARY KEY,
  member_id    TEXT,
  channel      TEXT NOT NULL,
  address      TEXT,
  action       TEXT NOT NULL CHECK (action IN ('opt-out', 'opt-in')),
  source       TEXT NOT NULL,
  detail       TEXT,
  at           INTEGER NOT NULL
);
CREATE INDEX opt_outs_member ON opt_outs (member_id, channel, at);

CREATE TABLE opt_out_current (
  member_id    TEXT NOT NULL,
  channel      TEXT NOT NULL,
  since        INTEGER NOT NULL,
  source       TEXT NOT NULL,
  PRIMARY KEY (member_id, channel)
) WITHOUT ROWID;

CREATE TABLE coupon_codes (
  code         TEXT PRIMARY KEY,
  coupon       TEXT NOT NULL,
  member_id    TEXT NOT NULL,
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  issued_at    INTEGER NOT NULL,
  expires_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX coupon_codes_coupon ON coupon_codes (coupon);
CREATE INDEX coupon_codes_member ON coupon_codes (member_id);

CREATE TABLE coupon_pool (
  coupon       TEXT NOT NULL,
  position     INTEGER NOT NULL,
  code         TEXT NOT NULL,
  PRIMARY KEY (coupon, position),
  UNIQUE (code)
) WITHOUT ROWID;

CREATE TABLE leases (
  name         TEXT PRIMARY KEY,
  owner        TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
`;
