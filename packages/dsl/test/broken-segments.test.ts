import { describe, expect, it } from "vitest";
import { check, parse, SourceFile } from "../src/index.js";
import { TEST_ENV } from "./support/environment.js";

function ready(segments: string, campaign: string): string[] {
  const files = [parse(new SourceFile("shared.segments", segments)), parse(new SourceFile("c.campaign", campaign))];
  return check({ files, env: TEST_ENV }).campaigns.map((c) => c.id);
}

describe("a campaign that uses a broken segment is not ready to run", () => {
  it("holds back campaigns using a segment in a cycle", () => {
    expect(ready("segment a = in segment b\nsegment b = in segment a\n", "when in segment a, send message welcome via sms\n")).toEqual([]);
  });

  it("holds back campaigns using a segment with an error, directly or through another segment", () => {
    const segments = "segment bad = tier >= platnum\nsegment outer = in segment bad and joined within 30 days\n";
    expect(ready(segments, "when in segment outer, send message welcome via sms\n")).toEqual([]);
  });

  it("keeps campaigns whose segments are sound", () => {
    const segments = "segment bad = tier >= platnum\nsegment good = joined within 30 days\n";
    expect(ready(segments, "when in segment good, send message welcome via sms\n")).toEqual(["c"]);
  });
});
