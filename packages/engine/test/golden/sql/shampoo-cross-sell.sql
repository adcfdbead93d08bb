-- shampoo-cross-sell.campaign
--   when member bought brand Pantene within 30 days
--     and tier >= gold
--     and not bought brand "Head & Shoulders" within 90 days,
--   send message hello via sms
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (lower(m.tier) IN (?, ?, ?) AND m.tier IS NOT NULL)
  AND (m.joined_at IS NULL OR m.joined_at <= ?)
  AND m.id IN (
    SELECT member_id FROM purchases
    WHERE rowid IN (SELECT rowid FROM purchases WHERE brand = ? AND purchased_at > ? AND purchased_at <= ?) AND quantity > 0
  )
  AND NOT EXISTS (
    SELECT 1 FROM purchases AS p
    WHERE p.member_id = m.id AND p.brand = ? AND p.purchased_at > ? AND p.purchased_at <= ? AND p.quantity > 0
  )
ORDER BY m.id;

-- parameters:
--   1: "gold"
--   2: "platinum"
--   3: "diamond"
--   4: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   5: "Pantene"
--   6: 1794706200000  -- 2026-11-15T09:30:00.000+08:00
--   7: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   8: "Head & Shoulders"
--   9: 1789522200000  -- 2026-09-16T09:30:00.000+08:00
--  10: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
