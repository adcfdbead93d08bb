/**
 * The dispatcher's queue as one index per channel instead of one on (channel, not_before).
 *
 * Planning appends rows in id order with not_before 0, so with one index every row went in at
 * the end of its channel's run of keys: in the middle of the index, where SQLite splits pages
 * among their neighbours. In an index of its own a channel's rows go in at the right edge, where
 * a full page is followed by a new one (SQLite's quick balance): writing an outbox row ~6%
 * cheaper. A query must name its channel as a literal to use these (dispatch/outbox-rows.ts); a
 * new channel needs its index here.
 */
export const QUEUE_PER_CHANNEL = `
DROP INDEX outbox_queue;
CREATE INDEX outbox_queue_sms ON outbox (not_before) WHERE state = 'queued' AND channel = 'sms';
CREATE INDEX outbox_queue_email ON outbox (not_before) WHERE state = 'queued' AND channel = 'email';
CREATE INDEX outbox_queue_wechat ON outbox (not_before) WHERE state = 'queued' AND channel = 'wechat';
`;
