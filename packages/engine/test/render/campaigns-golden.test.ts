import { join, resolve } from "node:path";
import { loadConfig } from "@patron/config";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../../../test/support/golden.js";
import { compileMessages } from "../../src/render/compile.js";
import type { MessageContext } from "../../src/render/context.js";
import { renderMessage, type RenderedMessage } from "../../src/render/render.js";
import { smsLength } from "../../src/render/sms-length.js";

/*
 * Every template of the example repository (campaigns/), rendered for one member on every channel
 * it has: the golden file is what 王小明 would receive. Review a change to it as she would read it.
 */

const CAMPAIGNS = resolve(import.meta.dirname, "../../../../campaigns");
const GOLDEN = join(import.meta.dirname, "golden/campaigns.txt");

const MEMBER: MessageContext = {
  member: { id: "M00012345", name: "王小明", city: "上海", tier: "gold", points: 2680, timezone: "Asia/Shanghai", vip_store: "SH01" },
  points: 2680,
  expiringPoints: 600,
  expiresOn: "2027-01-15",
  awardedPoints: 200,
  coupon: { code: "HS-7K3M9Q2P", value: "20元", name: "HS-20", expiresOn: "2027-01-21" },
  unsubscribeUrl: "https://patron.lumiere.example/unsubscribe?m=M00012345&t=abc123",
  campaign: { name: "shampoo-cross-sell" },
  now: "2026-12-22T09:30:00+08:00",
};

function show(r: RenderedMessage): string {
  switch (r.channel) {
    case "sms": {
      const { encoding, length, segments } = smsLength(r.body);
      return `${r.body}\n(${encoding}, ${length} characters, ${segments} segment${segments === 1 ? "" : "s"})`;
    }
    case "email":
      return [`subject: ${r.subject}`, ...(r.text ? ["text:", r.text.trimEnd()] : []), ...(r.html ? ["html:", r.html.trimEnd()] : [])].join(
        "\n",
      );
    case "wechat":
      return [`templateId: ${r.templateId}`, `url: ${r.url ?? "(none)"}`, ...Object.entries(r.data).map(([k, v]) => `${k}: ${v}`)].join(
        "\n",
      );
  }
}

describe("the example repository's templates", () => {
  const { config } = loadConfig(join(CAMPAIGNS, "patron.yaml"));
  if (!config) throw new Error("campaigns/patron.yaml does not load");
  const compiled = compileMessages(config);

  it("have no problems", () => {
    expect(compiled.templates.flatMap((t) => t.problems.map((p) => `${t.unit.label}: ${p.message}`))).toEqual([]);
  });

  it("render for a member on every channel (golden)", () => {
    const out: string[] = [];
    for (const message of config.messages) {
      for (const channel of ["sms", "email", "wechat"] as const) {
        if (!message[channel]) continue;
        out.push(`== ${message.name} · ${channel}`, show(renderMessage(compiled, message.name, channel, MEMBER)), "");
      }
    }
    expectGolden(GOLDEN, out.join("\n"));
  });
});
