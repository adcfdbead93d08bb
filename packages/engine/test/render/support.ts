import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig, toCheckEnvironment, type PatronConfig } from "@patron/config";
import { check, parse, renderText, SourceFile, type CampaignDefinition } from "@patron/dsl";
import type { MessageContext } from "../../src/render/context.js";

/*
 * A campaigns repository made on the fly for template tests: patron.yaml plus template and
 * campaign files in a temporary folder, loaded and checked as `patron check` would, failing loudly
 * when the configuration or a campaign itself has an error (the tests are about templates).
 */

export const BASE_YAML = `business: "Mini Shop"
timezone: Asia/Shanghai
region: cn
tiers: [silver, gold]
members:
  fields:
    vip_store: { type: string }
    last_visit: { type: date }
channels:
  sms:
    provider: twilio
    from: "+861012345678"
    accountSid: { env: TWILIO_ACCOUNT_SID }
    authToken: { env: TWILIO_AUTH_TOKEN }
  email:
    provider: smtp
    host: smtp.example.com
    port: 465
    from: "Mini Shop <club@shop.example>"
    unsubscribeUrl: https://shop.example/unsubscribe
  wechat:
    provider: wechat-official-account
    appId: { env: WECHAT_APP_ID }
    appSecret: { env: WECHAT_APP_SECRET }
`;

export interface Project {
  readonly dir: string;
  readonly config: PatronConfig;
  readonly campaigns: readonly CampaignDefinition[];
}

/** `files`: paths relative to the repository (templates/x.hbs, x.campaign) and their text. */
export function project(yaml: string, files: Readonly<Record<string, string>> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), "patron-templates-"));
  mkdirSync(join(dir, "templates"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, "patron.yaml"), yaml);
  const loaded = loadConfig(join(dir, "patron.yaml"));
  if (!loaded.config) throw new Error(`patron.yaml does not load:\n${loaded.diagnostics.map((d) => d.message).join("\n")}`);
  const config = loaded.config;
  const parsed = Object.entries(files)
    .filter(([name]) => name.endsWith(".campaign"))
    .map(([name, text]) => parse(new SourceFile(name, text)));
  const result = check({ files: parsed, env: toCheckEnvironment(config) });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const sources = new Map(parsed.map((p) => [p.source.path, p.source]));
    throw new Error(`campaigns do not check:\n${errors.map((d) => renderText(d, (p) => sources.get(p))).join("\n")}`);
  }
  return { dir, config, campaigns: result.campaigns };
}

/** A member of Mini Shop in Shanghai, with everything set; override what a test is about. */
export function context(overrides: Partial<MessageContext> = {}): MessageContext {
  return {
    member: { id: "M1", name: "王小明", city: "上海", tier: "gold", points: 1280, timezone: "Asia/Shanghai", vip_store: "SH01" },
    points: 1280,
    expiringPoints: 300,
    expiresOn: "2026-12-31",
    campaign: { name: "test-campaign" },
    now: "2026-12-22T10:00:00+08:00",
    ...overrides,
  };
}
