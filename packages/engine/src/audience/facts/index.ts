// One member's data, read from the store for the per-member evaluator (../rules/).
export { MemberData, memberData } from "./member-data.js";
export type {
  AttributeValue,
  MemberHistory,
  MemberPage,
  MemberRecord,
  PointLotRecord,
  PurchaseRecord,
  ReferralRecord,
} from "./member-data.js";
