import { DateTime } from "luxon";
import type { CampaignDefinition } from "@patron/dsl";
import type { Db } from "../../store/store.js";
import { memberZone } from "../../time/local-dates.js";
import { memberData } from "../facts/index.js";
import { compileCampaign } from "./compile.js";
import { businessZoneOf, type AudienceContext } from "./context.js";
import { evaluateMember, type ExplainNode } from "./evaluate.js";

/**
 * `patron explain FILE --member ID`: for one member, whether the campaign selects them and, for
 * each condition, true or false and what it saw. This is the JSON shape of `--format json`.
 */
export interface Explanation {
  readonly campaign: string;
  readonly member: string;
  /** The as-of instant, ISO 8601 in the business zone. */
  readonly asOf: string;
  readonly businessZone: string;
  /** The zone of the member's calendar (birthday, age): theirs when valid, else the business zone. */
  readonly memberZone: string;
  /** In the audience: the member exists at as-of and the condition holds. */
  readonly selected: boolean;
  /** The member exists at as-of (false when they joined later), and what that check saw. */
  readonly exists: { readonly result: boolean; readonly saw: string };
  readonly condition: ExplainNode;
}

/** Explains a campaign's audience condition for one member. Throws UnknownMemberError for an unknown id. */
export async function explainMember(db: Db, campaign: CampaignDefinition, memberId: string, ctx: AudienceContext): Promise<Explanation> {
  const compiled = compileCampaign(campaign, ctx);
  const evaluation = await evaluateMember(db, compiled, memberId);
  const zone = businessZoneOf(ctx);
  const member = memberData(db).member(memberId);
  return {
    campaign: campaign.id,
    member: memberId,
    asOf: DateTime.fromMillis(ctx.asOf, { zone }).toISO() ?? "",
    businessZone: zone,
    memberZone: memberZone(member?.timezone, zone),
    selected: evaluation.matched,
    exists: { result: evaluation.exists, saw: evaluation.existsSaw },
    condition: evaluation.explanation,
  };
}
