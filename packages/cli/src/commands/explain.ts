import { explainMember, renderExplanation, UnknownMemberError } from "@patron/engine";
import type { Io } from "../io.js";
import { chooseCampaign } from "../project/campaign.js";
import { openData, type DataOptions } from "../project/data.js";
import { UsageError } from "../project/files.js";

export interface ExplainOptions extends DataOptions {
  readonly member: string;
  readonly campaign?: string;
  readonly config?: string;
  readonly format: "text" | "json";
}

/**
 * `patron explain FILE --member ID`: every condition of the campaign for one member, true or
 * false, with the values it saw. Evaluated by json-rules-engine, independently of the SQL path.
 * Exit 0 whether or not the member matches: the explanation is the answer.
 */
export async function runExplain(file: string, options: ExplainOptions, io: Io): Promise<number> {
  const chosen = chooseCampaign(file, options.campaign, options.config, io);
  if (!chosen) return 1;
  const data = openData(chosen.config, options, io.cwd, { mustExist: true });
  try {
    const explanation = await explainMember(data.db, chosen.campaign, options.member, {
      env: chosen.env,
      segments: chosen.segments,
      asOf: data.asOf,
    });
    io.out(options.format === "json" ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation));
    return 0;
  } catch (error) {
    if (error instanceof UnknownMemberError) throw new UsageError(error.message);
    throw error;
  } finally {
    data.db.close();
  }
}
