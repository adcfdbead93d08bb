/**
 * Coupon redemptions, for `patron report`: which issued codes were used, and when.
 *
 * - One row per redeemed code (PRIMARY KEY code): a code is redeemed once. The code must be one
 *   Patron issued (coupon_codes); the importer rejects any other with its line, so the report's
 *   redemption rate is always "redeemed of issued".
 * - redeemed_at is epoch ms like every instant of the store; order_id ties the redemption to the
 *   purchase it came with when the till reports one; source names the file it was imported from.
 * - Re-importing a file changes nothing: a code already recorded keeps its first redemption.
 * - coupon_codes gets an index on run_id: the report counts the codes of one run, and without it
 *   every run would read all codes ever issued.
 */
export const REDEMPTIONS = `
CREATE TABLE coupon_redemptions (
  code         TEXT PRIMARY KEY REFERENCES coupon_codes (code),
  redeemed_at  INTEGER NOT NULL,
  order_id     TEXT,
  source       TEXT NOT NULL,
  imported_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX coupon_redemptions_time ON coupon_redemptions (redeemed_at);
CREATE INDEX coupon_codes_run ON coupon_codes (run_id);
`;
