-- vip-store-event.campaign
--   when (tier >= platinum and vip_store in ("SH01", "SH02"))
--     or member in segment lapsed_vip_shanghai,
--   send message hello via sms
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (m.joined_at IS NULL OR m.joined_at <= ?)
  AND (
    (
      (lower(m.tier) IN (?, ?) AND m.tier IS NOT NULL)
      AND (json_extract(m.attributes, ?) IN (?, ?) AND ifnull(json_type(m.attributes, ?), 'null') = 'text')
    )
    OR (
      (lower(m.tier) IN (?, ?) AND m.tier IS NOT NULL)
      AND (m.city = ? AND m.city IS NOT NULL)
      AND NOT EXISTS (
        SELECT 1 FROM purchases AS p
        WHERE p.member_id = m.id AND p.purchased_at > ? AND p.purchased_at <= ? AND p.quantity > 0
      )
    )
  )
ORDER BY m.id;

-- parameters:
--   1: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   2: "platinum"
--   3: "diamond"
--   4: "$.vip_store"
--   5: "SH01"
--   6: "SH02"
--   7: "$.vip_store"
--   8: "platinum"
--   9: "diamond"
--  10: "上海"
--  11: 1789522200000  -- 2026-09-16T09:30:00.000+08:00
--  12: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
