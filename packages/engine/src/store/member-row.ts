/** A row of `members` as SQLite gives it (schema: migrations/001-member-data.ts, 002-store-tuning.ts). */
export interface MemberRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  wechat_openid: string | null;
  tier: string | null;
  points: number | null;
  city: string | null;
  gender: string | null;
  /** YYYY-MM-DD. */
  birthday: string | null;
  /** Epoch ms. */
  joined_at: number | null;
  timezone: string | null;
  /** 1, 0 or NULL (unknown). */
  consent_sms: number | null;
  consent_email: number | null;
  consent_wechat: number | null;
  referred_by: string | null;
  /** The custom fields, a JSON object. */
  attributes: string;
}
