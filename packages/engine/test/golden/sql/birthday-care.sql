-- birthday-care.campaign
--   when birthday within 7 days and member in segment young_dry_skin, send message hello via wechat
-- as of 2026-12-15T09:30:00.000+08:00 (Asia/Shanghai); member zones: Asia/Shanghai, Pacific/Kiritimati, Pacific/Pago_Pago

SELECT m.id
FROM members AS m
WHERE (m.joined_at IS NULL OR m.joined_at <= ?)
  AND (
    m.birth_md IS NOT NULL
    AND m.birth_md IN (?, ?, ?, ?, ?, ?, ?, ?)
    AND CASE WHEN m.timezone IN (?) THEN m.birth_md IN (?, ?, ?, ?, ?, ?, ?) ELSE m.birth_md IN (?, ?, ?, ?, ?, ?, ?) END
  )
  AND (m.gender IS NOT NULL AND m.gender = ?)
  AND (
    m.birthday IS NOT NULL
    AND CASE WHEN m.timezone IN (?) THEN (m.birthday <= ? AND m.birthday > ?) ELSE (m.birthday <= ? AND m.birthday > ?) END
  )
  AND (ifnull(json_type(m.attributes, ?), 'null') = 'text' AND json_extract(m.attributes, ?) IN (?, ?))
ORDER BY m.id;

-- parameters:
--   1: 1797298200000  -- 2026-12-15T09:30:00.000+08:00
--   2: 1214
--   3: 1215
--   4: 1216
--   5: 1217
--   6: 1218
--   7: 1219
--   8: 1220
--   9: 1221
--  10: "Pacific/Pago_Pago"
--  11: 1214
--  12: 1215
--  13: 1216
--  14: 1217
--  15: 1218
--  16: 1219
--  17: 1220
--  18: 1215
--  19: 1216
--  20: 1217
--  21: 1218
--  22: 1219
--  23: 1220
--  24: 1221
--  25: "female"
--  26: "Pacific/Pago_Pago"
--  27: "2001-12-14"
--  28: "1990-12-14"
--  29: "2001-12-15"
--  30: "1990-12-15"
--  31: "$.skin_type"
--  32: "$.skin_type"
--  33: "dry"
--  34: "sensitive"
