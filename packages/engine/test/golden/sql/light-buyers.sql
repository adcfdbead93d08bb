-- light-buyers.campaign
--   when bought category skincare at most 1 time within 180 days
--     and spent on brand in (Olay, "L'Oréal") less than 300 within 1 year
--     and last purchase of category skincare more than 60 days ago
--     and joined_at < 2026-01-01
--     and lifetime_spend between 100 and 5000,
--   send message hello via email
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (m.joined_at < ? AND m.joined_at IS NOT NULL)
  AND (
    json_extract(m.attributes, ?) BETWEEN ? AND ?
    AND ifnull(json_type(m.attributes, ?), 'null') IN ('integer', 'real')
  )
  AND (m.joined_at IS NULL OR m.joined_at <= ?)
  AND m.id IN (
    SELECT member_id FROM purchases
    WHERE category = ? AND +purchased_at < ? AND quantity > 0
  )
  AND (
    SELECT count(DISTINCT p.order_id) FROM purchases AS p
    WHERE p.member_id = m.id AND p.category = ? AND p.purchased_at > ? AND p.purchased_at <= ? AND p.quantity > 0
  ) <= ?
  AND (
    SELECT total(p.amount) FROM purchases AS p
    WHERE p.member_id = m.id AND p.brand IN (?, ?) AND p.purchased_at > ? AND p.purchased_at <= ?
  ) < ?
  AND NOT EXISTS (
    SELECT 1 FROM purchases AS p
    WHERE p.member_id = m.id AND p.category = ? AND p.purchased_at >= ? AND p.purchased_at <= ? AND p.quantity > 0
  )
ORDER BY m.id;

-- parameters:
--   1: 1767196800000  -- 2026-01-01T00:00:00.000+08:00
--   2: "$.lifetime_spend"
--   3: 100
--   4: 5000
--   5: "$.lifetime_spend"
--   6: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   7: "skincare"
--   8: 1792114200000  -- 2026-10-16T09:30:00.000+08:00
--   9: "skincare"
--  10: 1781746200000  -- 2026-06-18T09:30:00.000+08:00
--  11: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--  12: 1
--  13: "Olay"
--  14: "L'Oréal"
--  15: 1765762200000  -- 2025-12-15T09:30:00.000+08:00
--  16: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--  17: 300
--  18: "skincare"
--  19: 1792114200000  -- 2026-10-16T09:30:00.000+08:00
--  20: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
