import type { ImportKind } from "./types.js";

// The columns of each kind (columns.ts reads a header into them; the reading thread needs them without the rest).

export const CANONICAL_COLUMNS: Readonly<Record<ImportKind, readonly string[]>> = {
  members: [
    "id",
    "name",
    "phone",
    "email",
    "wechat_openid",
    "tier",
    "points",
    "city",
    "gender",
    "birthday",
    "joined_at",
    "timezone",
    "consent_sms",
    "consent_email",
    "consent_wechat",
    "referred_by",
  ],
  purchases: ["member_id", "purchased_at", "order_id", "sku", "brand", "category", "quantity", "amount"],
  points: ["member_id", "points", "earned_at", "expires_at"],
};

export const REQUIRED_COLUMNS: Readonly<Record<ImportKind, readonly string[]>> = {
  members: ["id"],
  purchases: ["member_id", "purchased_at", "order_id", "sku", "quantity", "amount"],
  points: ["member_id", "points", "earned_at"],
};
