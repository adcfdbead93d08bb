import {
  CANONICAL_FIELDS,
  check,
  parse,
  renderText,
  SourceFile,
  type CampaignDefinition,
  type CheckEnvironment,
  type SegmentDefinition,
} from "@patron/dsl";

/*
 * Campaigns for engine tests: a business like the checker tests' (four tiers, a few custom
 * fields of every type), and helpers that parse and check campaign text the way `patron check`
 * does, failing loudly on any error so a test never evaluates a campaign the checker rejects.
 */

export const ENGINE_TEST_ENV: CheckEnvironment = {
  tiers: ["silver", "gold", "platinum", "diamond"],
  fields: [
    ...CANONICAL_FIELDS,
    { name: "vip_store", type: "string" },
    { name: "skin_type", type: "string", values: ["dry", "oily", "combination", "sensitive"] },
    { name: "lifetime_spend", type: "number" },
    { name: "app_user", type: "boolean" },
    { name: "first_visit", type: "date" },
  ],
  channels: ["sms", "email", "wechat"],
  messages: [
    { name: "welcome", channels: ["sms", "email", "wechat"] },
    { name: "birthday", channels: ["wechat", "sms"] },
    { name: "points-expiry", channels: ["wechat", "email"] },
    { name: "coupon-issued", channels: ["sms", "wechat"] },
  ],
  coupons: [
    { name: "HS-20", brand: "Head & Shoulders", message: "coupon-issued" },
    { name: "WINBACK-50", message: "coupon-issued" },
  ],
  timezone: "Asia/Shanghai",
};

export const SEGMENTS_PATH = "segments.segments";

export interface CheckedProgram {
  readonly campaigns: readonly CampaignDefinition[];
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
}

/** Parses and checks campaign files and a segments file; throws with the rendered errors if any. */
export function checkProgram(
  campaigns: Readonly<Record<string, string>>,
  options: { readonly env?: CheckEnvironment; readonly segments?: string } = {},
): CheckedProgram {
  const env = options.env ?? ENGINE_TEST_ENV;
  const files = [
    ...(options.segments !== undefined ? [parse(new SourceFile(SEGMENTS_PATH, options.segments))] : []),
    ...Object.entries(campaigns).map(([path, text]) => parse(new SourceFile(path, text))),
  ];
  const result = check({ files, env });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const lookup = (path: string): SourceFile | undefined => files.find((f) => f.source.path === path)?.source;
    throw new Error(`the test campaigns do not check:\n${errors.map((d) => renderText(d, lookup)).join("\n\n")}`);
  }
  return { campaigns: result.campaigns, segments: result.segments };
}

/** One campaign file (block or one-line form), checked with the segments given. */
export function checkCampaign(
  text: string,
  options: { readonly env?: CheckEnvironment; readonly segments?: string; readonly path?: string } = {},
): { readonly campaign: CampaignDefinition; readonly segments: ReadonlyMap<string, SegmentDefinition> } {
  const program = checkProgram({ [options.path ?? "campaigns/test.campaign"]: text }, options);
  const campaign = program.campaigns[0];
  if (!campaign || program.campaigns.length !== 1) throw new Error(`expected one campaign, got ${program.campaigns.length}`);
  return { campaign, segments: program.segments };
}
