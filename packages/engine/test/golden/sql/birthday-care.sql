-- birthday-care.campaign
--   when birthday within 7 days and member in segment young_dry_skin, send message hello via wechat
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (
  m.birth_md IS NOT NULL
  AND m.birth_md IN (?, ?, ?, ?, ?, ?, ?, ?)
  AND CASE WHEN m.timezone IN (?) THEN m.birth_md IN (?, ?, ?, ?, ?, ?, ?) ELSE m.birth_md IN (?, ?, ?, ?, ?, ?, ?) END
)
  AND (m.gender = ? AND m.gender IS NOT NULL)
  AND (
    m.birthday IS NOT NULL
    AND CASE WHEN m.timezone IN (?) THEN (m.birthday <= ? AND m.birthday > ?) ELSE (m.birthday <= ? AND m.birthday > ?) END
  )
  AND (json_extract(m.attributes, ?) IN (?, ?) AND ifnull(json_type(m.attributes, ?), 'null') = 'text')
  AND (m.joined_at IS NULL OR m.joined_at <= ?)
ORDER BY m.id;

-- parameters:
--   1: 1214
--   2: 1215
--   3: 1216
--   4: 1217
--   5: 1218
--   6: 1219
--   7: 1220
--   8: 1221
--   9: "Pacific/Pago_Pago"
--  10: 1214
--  11: 1215
--  12: 1216
--  13: 1217
--  14: 1218
--  15: 1219
--  16: 1220
--  17: 1215
--  18: 1216
--  19: 1217
--  20: 1218
--  21: 1219
--  22: 1220
--  23: 1221
--  24: "female"
--  25: "Pacific/Pago_Pago"
--  26: "2001-12-14"
--  27: "1990-12-14"
--  28: "2001-12-15"
--  29: "1990-12-15"
--  30: "$.skin_type"
--  31: "dry"
--  32: "sensitive"
--  33: "$.skin_type"
--  34: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
