import type { Region } from "@patron/config";
import type { Db } from "../store/store.js";

/** The calling code of each region whose members' phones may be stored without it. */
const CALLING_CODE: Readonly<Record<Region, string | undefined>> = { cn: "86", us: "1", eu: undefined, other: undefined };

/**
 * The forms a phone number Twilio reports (E.164, "+8613800000001") may have been imported in:
 * as given, without the plus, and, for the business's own country, the national number
 * ("13800000001"). Numbers stored with spaces or dashes are not found: import phones as E.164.
 */
export function phoneForms(phone: string, region: Region): string[] {
  const forms = [phone];
  if (!/^\+\d+$/.test(phone)) return forms;
  const digits = phone.slice(1);
  forms.push(digits);
  const code = CALLING_CODE[region];
  if (code !== undefined && digits.startsWith(code) && digits.length > code.length) forms.push(digits.slice(code.length));
  return forms;
}

/** The members (ids, sorted) whose phone is this number in any of its forms. */
export function membersWithPhone(db: Db, phone: string, region: Region): string[] {
  const forms = phoneForms(phone, region);
  return db
    .prepare(`SELECT id FROM members WHERE phone IN (${forms.map(() => "?").join(", ")}) ORDER BY id`)
    .pluck()
    .all(...forms) as string[];
}

/** The members (ids, sorted) with this WeChat openid. */
export function membersWithOpenid(db: Db, openid: string): string[] {
  return db.prepare("SELECT id FROM members WHERE wechat_openid = ? ORDER BY id").pluck().all(openid) as string[];
}
