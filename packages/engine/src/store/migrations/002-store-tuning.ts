/**
 * Store tuning, measured on the benchmark data (1M purchase rows imported, 100k and 1M members):
 *
 * - purchases becomes a rowid table with UNIQUE (order_id, sku). Its secondary index entries then
 *   end in an 8-byte rowid instead of the (order_id, sku) primary key of a WITHOUT ROWID table,
 *   and a bulk import can give each row the file line it came from as its rowid (import/bulk.ts).
 * - Two secondary indexes instead of five, because building them is most of a first import:
 *   - purchases_member_time (member_id, purchased_at, quantity, amount): the per-member probes
 *     read it alone, without visiting the table (probing a million members: 11.2 s → 1.7 s);
 *   - purchases_time (purchased_at, brand, category, sku): a window of time, filtered by item
 *     inside the index, serves the "set" form of every purchase test and the planner's counts.
 *     It replaces purchases_brand_time, purchases_category_time and purchases_sku_time: each of
 *     those cost as much to build as this one (sorting on a column with few distinct values is
 *     slow in SQLite), and a window holds few enough rows that reading the others is cheap.
 * - members.id NOT NULL. SQLite lets a TEXT PRIMARY KEY of a rowid table hold NULL, and adding
 *   NOT NULL needs a new table; rows with a NULL id (no importer writes one, and nothing can
 *   address them) are left behind. Rowids are kept: the planner samples members by rowid.
 * - point_lots: UNIQUE (member_id, earned_at, expires_at, points, source) let equal lots that
 *   never expire through, since SQL's NULLs are all distinct. The identity is now an expression
 *   index with 'never' for a NULL expiry (no integer equals it). Equal lots already stored are
 *   kept once (the first), as the importer has always treated them: one lot.
 */
export const STORE_TUNING = `
CREATE TABLE members_new (
  id              TEXT PRIMARY KEY NOT NULL,
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
INSERT INTO members_new (rowid, id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, birth_md, joined_at,
  timezone, consent_sms, consent_email, consent_wechat, referred_by, attributes, extra)
SELECT rowid, id, name, phone, email, wechat_openid, tier, points, city, gender, birthday, birth_md, joined_at,
  timezone, consent_sms, consent_email, consent_wechat, referred_by, attributes, extra
FROM members WHERE id IS NOT NULL ORDER BY rowid;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_referred_by ON members (referred_by, joined_at) WHERE referred_by IS NOT NULL;
CREATE INDEX members_birth_md ON members (birth_md);
CREATE INDEX members_timezone ON members (timezone);

CREATE TABLE purchases_new (
  order_id      TEXT NOT NULL,
  sku           TEXT NOT NULL,
  member_id     TEXT NOT NULL,
  purchased_at  INTEGER NOT NULL,
  brand         TEXT,
  category      TEXT,
  quantity      REAL NOT NULL,
  amount        REAL NOT NULL,
  UNIQUE (order_id, sku)
);
INSERT INTO purchases_new (order_id, sku, member_id, purchased_at, brand, category, quantity, amount)
SELECT order_id, sku, member_id, purchased_at, brand, category, quantity, amount FROM purchases;
DROP TABLE purchases;
ALTER TABLE purchases_new RENAME TO purchases;
CREATE INDEX purchases_member_time ON purchases (member_id, purchased_at, quantity, amount);
CREATE INDEX purchases_time ON purchases (purchased_at, brand, category, sku);

CREATE TABLE point_lots_new (
  member_id   TEXT NOT NULL,
  points      REAL NOT NULL,
  earned_at   INTEGER NOT NULL,
  expires_at  INTEGER,
  source      TEXT NOT NULL DEFAULT 'import'
);
CREATE UNIQUE INDEX point_lots_identity ON point_lots_new (member_id, earned_at, coalesce(expires_at, 'never'), points, source);
INSERT OR IGNORE INTO point_lots_new (rowid, member_id, points, earned_at, expires_at, source)
SELECT rowid, member_id, points, earned_at, expires_at, source FROM point_lots ORDER BY rowid;
DROP TABLE point_lots;
ALTER TABLE point_lots_new RENAME TO point_lots;
CREATE INDEX point_lots_expiry ON point_lots (expires_at, member_id);
`;
