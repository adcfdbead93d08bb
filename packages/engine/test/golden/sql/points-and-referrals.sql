-- points-and-referrals.campaign
--   when points expiring within 1 month >= 500
--     and not (points > 10000)
--     and referred at least 2 members within 1 year
--     and app_user is true,
--   send message hello via wechat
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE NOT (m.points > ? AND m.points IS NOT NULL)
  AND (
    json_extract(m.attributes, ?) = ?
    AND ifnull(json_type(m.attributes, ?), 'null') IN ('true', 'false')
  )
  AND (m.joined_at IS NULL OR m.joined_at <= ?)
  AND m.id IN (
    SELECT member_id FROM point_lots
    WHERE expires_at > ? AND expires_at <= ? AND earned_at <= ?
    GROUP BY member_id HAVING total(points) >= ?
  )
  AND m.id IN (
    SELECT r.referred_by FROM members AS r
    WHERE r.referred_by IS NOT NULL AND r.joined_at > ? AND r.joined_at <= ?
    GROUP BY r.referred_by HAVING count(*) >= ?
  )
ORDER BY m.id;

-- parameters:
--   1: 10000
--   2: "$.app_user"
--   3: 1
--   4: "$.app_user"
--   5: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   6: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   7: 1799976600000  -- 2027-01-15T09:30:00.000+08:00
--   8: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   9: 500
--  10: 1765762200000  -- 2025-12-15T09:30:00.000+08:00
--  11: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--  12: 2
