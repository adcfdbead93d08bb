import { onTestFinished } from "vitest";
import type { OutgoingMessage } from "../../src/contract/channel.js";
import { wechatChannel, type WechatChannelOptions } from "../../src/wechat/wechat-channel.js";
import { startFakeWechat, type FakeWechat, type FakeWechatOptions } from "../../../../test/support/fake-wechat.js";

export type WechatMessage = Extract<OutgoingMessage, { channel: "wechat" }>;

/** A clock the test moves by hand, shared by the channel and the fake WeChat. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(startIso = "2026-11-22T02:00:00Z"): TestClock {
  let t = Date.parse(startIso);
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function pointsMessage(memberNo: number, overrides: Partial<WechatMessage> = {}): WechatMessage {
  return {
    channel: "wechat",
    key: `points-expiry:2026-11-22:m${memberNo}`,
    to: `oOpenId-member-${memberNo}`,
    templateId: "Ab3dEfGh-points-expiry",
    data: { first: `会员${memberNo}，您的积分即将到期`, keyword1: "1,200", keyword2: "2026-12-31" },
    ...overrides,
  };
}

/** A fake WeChat and a channel pointed at it, both closed when the test ends. */
export async function wechatSetup(
  options: { readonly fake?: FakeWechatOptions; readonly channel?: Partial<WechatChannelOptions>; readonly clock?: TestClock } = {},
) {
  const clock = options.clock ?? testClock();
  const fake: FakeWechat = await startFakeWechat({ now: clock.now, ...options.fake });
  const channel = wechatChannel({
    appId: fake.appId,
    appSecret: fake.appSecret,
    baseUrl: fake.baseUrl,
    now: clock.now,
    ...options.channel,
  });
  onTestFinished(async () => {
    await channel.close();
    await fake.close();
  });
  return { fake, channel, clock };
}
