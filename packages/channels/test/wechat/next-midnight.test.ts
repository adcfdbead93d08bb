import { describe, expect, it } from "vitest";
import { formatWallClock, nextMidnight } from "../../src/wechat/next-midnight.js";

const at = (iso: string) => Date.parse(iso);

describe("the next midnight in a time zone (when WeChat's daily quota resets)", () => {
  it.each([
    ["2026-11-22T15:59:59Z", "2026-11-22T16:00:00Z"], // 23:59:59 in Beijing
    ["2026-11-22T16:00:00Z", "2026-11-23T16:00:00Z"], // exactly midnight: the next one
    ["2026-11-22T02:00:00Z", "2026-11-22T16:00:00Z"],
    ["2026-12-31T20:00:00Z", "2027-01-01T16:00:00Z"], // already 1 January in Beijing
    ["2028-02-28T16:30:00Z", "2028-02-29T16:00:00Z"], // 00:30 on 29 February: midnight into 1 March
  ])("Asia/Shanghai, from %s", (now, midnight) => {
    expect(nextMidnight(at(now), "Asia/Shanghai")).toBe(at(midnight));
  });

  it("across a daylight-saving change", () => {
    // New York springs forward on 8 March 2026: midnight before is UTC-5, midnight after is UTC-4.
    expect(nextMidnight(at("2026-03-07T17:00:00Z"), "America/New_York")).toBe(at("2026-03-08T05:00:00Z"));
    expect(nextMidnight(at("2026-03-08T17:00:00Z"), "America/New_York")).toBe(at("2026-03-09T04:00:00Z"));
  });

  it("formats an instant as the zone's wall clock", () => {
    expect(formatWallClock(at("2026-11-22T16:00:00Z"), "Asia/Shanghai")).toBe("2026-11-23 00:00");
  });
});
