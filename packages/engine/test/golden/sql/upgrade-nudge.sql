-- upgrade-nudge.campaign
--   when bought at least 3 times within 90 days
--     and spent at least 1000 within 90 days
--     and tier < platinum,
--   send message hello via email
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (lower(m.tier) IN (?, ?) AND m.tier IS NOT NULL)
  AND (m.joined_at IS NULL OR m.joined_at <= ?)
  AND (
    SELECT count(DISTINCT p.order_id) FROM purchases AS p
    WHERE p.member_id = m.id AND p.purchased_at > ? AND p.purchased_at <= ? AND p.quantity > 0
  ) >= ?
  AND (
    SELECT total(p.amount) FROM purchases AS p
    WHERE p.member_id = m.id AND p.purchased_at > ? AND p.purchased_at <= ?
  ) >= ?
ORDER BY m.id;

-- parameters:
--   1: "silver"
--   2: "gold"
--   3: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   4: 1789522200000  -- 2026-09-16T09:30:00.000+08:00
--   5: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   6: 3
--   7: 1789522200000  -- 2026-09-16T09:30:00.000+08:00
--   8: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   9: 1000
