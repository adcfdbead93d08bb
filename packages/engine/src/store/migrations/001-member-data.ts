/**
 * Member data: members, purchases, point lots. Referrals are members' `referred_by`.
 *
 * Representation choices a reader would not guess:
 * - Instants (purchased_at, joined_at, earned_at, expires_at) are INTEGER milliseconds since the
 *   Unix epoch, UTC: compared and indexed as numbers, converted to local time only in JS (luxon).
 * - birthday is TEXT YYYY-MM-DD (a calendar date has no zone); birth_md = month*100+day is kept
 *   beside it so "birthday within N days" is an indexed IN over a few month-days.
 * - Custom member fields (patron.yaml members.fields) live in `attributes`, a JSON object with
 *   typed values (numbers as numbers, booleans as true/false, dates as YYYY-MM-DD), read with
 *   json_extract. Columns of a members CSV that patron.yaml does not declare are kept in `extra`
 *   (JSON, text values) so nothing imported is lost; campaigns cannot use them until declared.
 * - Returns (negative quantity) are purchases with negative quantity and amount: `spent` sums
 *   are net of them; `bought` counts only rows with quantity > 0.
 */
export const MEMBER_DATA = `
CREATE TABLE members (
  id              TEXT PRIMARY KEY,
  name            TEXT,
  phone           TEXT,
  email           TEXT,
  wechat_openid   TEXT,
  tier            TEXT,
  points          REAL,
  city            TEXT,
  gender          TEXT,
  birthday        TEXT,
  birth_md        INTEGER,
  joined_at       INTEGER,
  timezone        TEXT,
  consent_sms     INTEGER,
  consent_email   INTEGER,
  consent_wechat  INTEGER,
  referred_by     TEXT,
  attributes      TEXT NOT NULL DEFAULT '{}',
  extra           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX members_referred_by ON members (referred_by, joined_at) WHERE referred_by IS NOT NULL;
CREATE INDEX members_birth_md ON members (birth_md);
CREATE INDEX members_timezone ON members (timezone);

CREATE TABLE purchases (
  order_id      TEXT NOT NULL,
  sku           TEXT NOT NULL,
  member_id     TEXT NOT NULL,
  purchased_at  INTEGER NOT NULL,
  brand         TEXT,
  category      TEXT,
  quantity      REAL NOT NULL,
  amount        REAL NOT NULL,
  PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;
CREATE INDEX purchases_member_time ON purchases (member_id, purchased_at);
CREATE INDEX purchases_brand_time ON purchases (brand, purchased_at, member_id);
CREATE INDEX purchases_category_time ON purchases (category, purchased_at, member_id);
CREATE INDEX purchases_sku_time ON purchases (sku, purchased_at, member_id);
CREATE INDEX purchases_time ON purchases (purchased_at, member_id);

CREATE TABLE point_lots (
  member_id   TEXT NOT NULL,
  points      REAL NOT NULL,
  earned_at   INTEGER NOT NULL,
  expires_at  INTEGER,
  source      TEXT NOT NULL DEFAULT 'import',
  UNIQUE (member_id, earned_at, expires_at, points, source)
);
CREATE INDEX point_lots_expiry ON point_lots (expires_at, member_id);
`;
