import type { ActionNode, ChannelRefNode, NameNode, Range, RuleNode, VariantNode } from "../ast/nodes.js";
import { listNames, suggest } from "../diagnostics/suggest.js";
import { CHANNEL_NAMES, type ChannelName, type CheckEnvironment, type CouponInfo, type MessageInfo } from "./environment.js";
import type { Reporter } from "./reporter.js";

/**
 * Checks what a rule does: messages, coupons and channels exist, are configured and fit together.
 * `cutShort` says whether a syntax error follows a node directly (`send message "x" vai sms`):
 * then what seems missing from it was written, just not readably, and is not reported again.
 */
export function checkActions(
  rule: RuleNode,
  env: CheckEnvironment,
  report: Reporter,
  cutShort: (at: Range) => boolean = () => false,
): void {
  for (const action of rule.actions) checkAction(action, env, report, cutShort);
}

function checkAction(action: ActionNode, env: CheckEnvironment, report: Reporter, cutShort: (at: Range) => boolean): void {
  switch (action.kind) {
    case "AwardPoints":
      if (!Number.isInteger(action.amount.value) || action.amount.value <= 0) {
        report.error(
          "E306",
          action.amount,
          `points are awarded in whole numbers above 0, not ${action.amount.raw}`,
          "for example: award 500 points",
        );
      }
      return;
    case "SendMessage": {
      const names: NameNode[] = Array.isArray(action.message) ? action.message.map((v) => v.message) : [action.message as NameNode];
      if (Array.isArray(action.message)) checkVariants(action.message, report);
      const messages = names.map((name) => findMessage(env, name, report));
      const channels = checkVia(action, action.via, env, report, cutShort, messages);
      for (const message of messages) if (message) checkTemplates(message, channels, report);
      return;
    }
    case "SendCoupon": {
      const coupon =
        action.coupon.kind === "named"
          ? findNamed(env.coupons, action.coupon.name, "coupon", "E206", report)
          : findBrandCoupon(env, action.coupon.brand, report);
      const message = coupon?.message ? env.messages.find((m) => m.name === coupon.message) : undefined;
      const channels = checkVia(action, action.via, env, report, cutShort, [message]);
      if (!coupon?.message) return;
      if (message) checkTemplates(message, channels, report, `coupon "${coupon.name}" is sent with message "${message.name}", which`);
      return;
    }
  }
}

function checkVia(
  action: ActionNode,
  via: readonly ChannelRefNode[],
  env: CheckEnvironment,
  report: Reporter,
  cutShort: (at: Range) => boolean,
  messages: readonly (MessageInfo | undefined)[],
): ChannelRefNode[] {
  if (via.length === 0) {
    if (cutShort(action)) return [];
    // Suggest the channels the message can actually go out on: configured, with a template.
    const usable = env.channels.filter((c) => messages.every((m) => !m || m.channels.includes(c)));
    const chain = (usable.length > 0 ? usable : env.channels).join(" or ") || "sms";
    report.error(
      "E102",
      action,
      "this action does not say how to reach the member",
      `add the channel, or channels in order of preference: via ${chain}`,
    );
    return [];
  }
  const ok: ChannelRefNode[] = [];
  const seen = new Set<string>();
  for (const ref of via) {
    if (!(CHANNEL_NAMES as readonly string[]).includes(ref.name)) {
      const guess = suggest(ref.name, CHANNEL_NAMES);
      report.error(
        "E203",
        ref,
        `unknown channel "${ref.name}"`,
        `${guess ? `did you mean "${guess}"? ` : ""}Channels: ${CHANNEL_NAMES.join(", ")}`,
      );
      continue;
    }
    if (seen.has(ref.name)) {
      report.error("E309", ref, `${ref.name} is named twice in this channel list`, "name each channel once, in order of preference");
      continue;
    }
    seen.add(ref.name);
    if (!env.channels.includes(ref.name as ChannelName)) {
      report.error(
        "E208",
        ref,
        `the ${ref.name} channel is not configured`,
        env.channels.length > 0
          ? `configured channels: ${env.channels.join(", ")}; or add channels.${ref.name} to patron.yaml`
          : `add channels.${ref.name} to patron.yaml`,
      );
      continue;
    }
    ok.push(ref);
  }
  return ok;
}

function checkVariants(variants: readonly VariantNode[], report: Reporter): void {
  const total = variants.reduce((sum, v) => sum + v.percent.value, 0);
  const first = variants[0];
  const last = variants[variants.length - 1];
  if (first && last && Math.abs(total - 100) > 1e-9) {
    report.error(
      "E303",
      { start: first.start, end: last.end },
      `the variants add up to ${total}%, not 100%`,
      "give each variant its share so the shares add up to 100%",
    );
  }
}

function findMessage(env: CheckEnvironment, name: NameNode, report: Reporter): MessageInfo | undefined {
  return findNamed(env.messages, name, "message", "E205", report);
}

function findNamed<T extends { readonly name: string }>(
  list: readonly T[],
  name: NameNode,
  what: "message" | "coupon",
  code: "E205" | "E206",
  report: Reporter,
): T | undefined {
  const found = list.find((item) => item.name === name.value);
  if (found) return found;
  const names = list.map((item) => item.name).sort();
  const guess = suggest(name.value, names);
  report.error(
    code,
    name,
    `unknown ${what} "${name.value}"`,
    names.length === 0
      ? `no ${what}s are configured; add them under ${what}s: in patron.yaml`
      : `${guess ? `did you mean "${guess}"? ` : ""}Known ${what}s: ${listNames(names)}`,
  );
  return undefined;
}

function findBrandCoupon(env: CheckEnvironment, brand: NameNode, report: Reporter): CouponInfo | undefined {
  const lower = brand.value.toLowerCase();
  const found = env.coupons.find((c) => c.brand?.toLowerCase() === lower);
  if (found) return found;
  const brands = env.coupons.flatMap((c) => (c.brand ? [c.brand] : [])).sort();
  const guess = suggest(brand.value, brands);
  report.error(
    "E207",
    brand,
    `no coupon is configured for brand "${brand.value}"`,
    brands.length === 0
      ? "add a coupon with `brand:` under coupons: in patron.yaml"
      : `${guess ? `did you mean "${guess}"? ` : ""}Brands with a coupon: ${listNames(brands)}`,
  );
  return undefined;
}

function checkTemplates(message: MessageInfo, via: readonly ChannelRefNode[], report: Reporter, subject?: string): void {
  for (const ref of via) {
    if (!message.channels.includes(ref.name as ChannelName)) {
      report.error(
        "E209",
        ref,
        `${subject ?? `message "${message.name}"`} has no ${ref.name} template`,
        `add messages.${message.name}.${ref.name} to patron.yaml, or send it via ${message.channels.join(" or ") || "another channel"}`,
      );
    }
  }
}
