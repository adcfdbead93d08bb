import type { PatronConfig } from "@patron/config";
import type { Diagnostic, SourceFile } from "@patron/dsl";
import { templateSite } from "../render/locate.js";
import type { MessageSend } from "../render/sends.js";
import { channelRef, describeSends, isMarketing } from "./marketing.js";

/*
 * W702: WeChat template messages used for marketing. WeChat reserves them for service notices
 * and bans accounts that advertise through them, so a marketing message with a wechat template
 * is flagged where the template is configured (patron.yaml messages.NAME.wechat), and each
 * campaign sending one via wechat where it says so (the `wechat` of its via list).
 */

const WHY =
  "WeChat reserves template messages for service notices (points changes, coupons issued, order status) and bans accounts that advertise through them";

export function lintWechat(config: PatronConfig, configSource: SourceFile, sends: readonly MessageSend[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const message of config.messages) {
    if (message.purpose !== "marketing" || !message.wechat) continue;
    // locate.ts finds keys of patron.yaml again in its text: the loaded configuration keeps no positions.
    const unit = { message: message.name, channel: "wechat", part: "templateId", escape: false, keyPath: ["wechat"], label: "" } as const;
    const { range } = templateSite(unit, configSource, (p) => p);
    out.push({
      severity: "warning",
      code: "W702",
      file: configSource.path,
      span: configSource.span(range[0], range[1]),
      message: `message "${message.name}" is marketing but has a WeChat template (kind ${message.wechat.kind})`,
      help: `${WHY}: remove messages.${message.name}.wechat and send the offer by sms or email, or, if the message only tells members about their own account, make it purpose: service`,
    });
  }

  // One warning per send action, naming every marketing message it sends that way.
  const byAction = new Map<string, MessageSend[]>();
  for (const send of sends) {
    if (!send.via.includes("wechat") || !isMarketing(config, send.message)) continue;
    const key = `${send.campaign.source.path}:${send.at}`;
    byAction.set(key, [...(byAction.get(key) ?? []), send]);
  }
  for (const group of byAction.values()) {
    const first = group[0];
    const ref = first && channelRef(first, "wechat");
    if (!first || !ref) continue;
    const { campaign } = first;
    out.push({
      severity: "warning",
      code: "W702",
      file: campaign.source.path,
      span: campaign.source.span(ref.start, ref.end),
      message: `campaign "${campaign.id}" sends ${describeSends(group)} as a WeChat template message`,
      help: `${WHY}: send ${group.length === 1 ? "it" : "them"} via sms or email, not wechat`,
    });
  }
  return out;
}
