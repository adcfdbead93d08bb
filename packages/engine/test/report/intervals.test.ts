import { describe, expect, it } from "vitest";
import { differenceInterval, wilsonInterval, Z_95 } from "../../src/report/intervals.js";

describe("Wilson score interval", () => {
  it("matches a hand computation: 4 of 10", () => {
    // p = 0.4, z² = 3.841459, n = 10
    // denominator = 1 + z²/n = 1.384146
    // centre = (p + z²/2n) / denominator = (0.4 + 0.192073) / 1.384146 = 0.427753
    // half = z / denominator · √(p(1−p)/n + z²/4n²) = 1.416005 · √(0.024 + 0.009604) = 1.416005 · 0.183314 = 0.259574
    // → (0.168179, 0.687327)
    const ci = wilsonInterval(4, 10);
    expect(ci?.lower).toBeCloseTo(0.168179, 5);
    expect(ci?.upper).toBeCloseTo(0.687326, 5);
  });

  it("matches a hand computation: 1 of 5", () => {
    // p = 0.2; denominator = 1.768292; centre = (0.2 + 0.384146) / 1.768292 = 0.330345
    // half = 1.108393 · √(0.032 + 0.038415) = 1.108393 · 0.265358 = 0.294121 → (0.036224, 0.624466)
    const ci = wilsonInterval(1, 5);
    expect(ci?.lower).toBeCloseTo(0.036224, 5);
    expect(ci?.upper).toBeCloseTo(0.624466, 5);
  });

  it("stays inside [0, 1] and is not zero-width at 0 of n and n of n", () => {
    // 0 of 10: upper = z²/(n + z²) = 3.841459 / 13.841459 = 0.277533
    const none = wilsonInterval(0, 10);
    expect(none?.lower).toBe(0);
    expect(none?.upper).toBeCloseTo(0.277533, 5);
    const all = wilsonInterval(10, 10);
    expect(all?.lower).toBeCloseTo(0.722467, 5);
    expect(all?.upper).toBe(1);
  });

  it("has no interval for an empty group, and refuses impossible counts", () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });

  it("narrows as the group grows", () => {
    const small = wilsonInterval(20, 100);
    const large = wilsonInterval(2000, 10000);
    expect(large && large.upper - large.lower).toBeLessThan((small && small.upper - small.lower) ?? 0);
    expect(Z_95).toBeCloseTo(1.959964, 6);
  });
});

describe("Newcombe hybrid score interval for a difference of rates", () => {
  it("matches a hand computation: 4/10 − 1/5 (the report fixture's uplift)", () => {
    // d = 0.4 − 0.2 = 0.2, from the two Wilson intervals above:
    // lower = d − √((0.4 − 0.168179)² + (0.624466 − 0.2)²) = 0.2 − √(0.053741 + 0.180171) = 0.2 − 0.483645 = −0.283645
    // upper = d + √((0.687327 − 0.4)² + (0.2 − 0.036224)²) = 0.2 + √(0.082557 + 0.026823) = 0.2 + 0.330727 = 0.530727
    const ci = differenceInterval(4, 10, 1, 5);
    expect(ci?.lower).toBeCloseTo(-0.283645, 5);
    expect(ci?.upper).toBeCloseTo(0.530727, 5);
  });

  // Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10 (score, no continuity
  // correction): the published bounds, to the four decimals printed there.
  const published: readonly [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ];
  it.each(published)("%i/%i − %i/%i → (%f, %f) as published", (x1, n1, x2, n2, lower, upper) => {
    const ci = differenceInterval(x1, n1, x2, n2);
    expect(ci?.lower).toBeCloseTo(lower, 4);
    expect(ci?.upper).toBeCloseTo(upper, 4);
  });

  it("contains the difference, and is undefined when a group is empty", () => {
    const ci = differenceInterval(30, 200, 2, 50); // 0.15 − 0.04 = 0.11
    expect(ci?.lower).toBeLessThan(0.11);
    expect(ci?.upper).toBeGreaterThan(0.11);
    expect(differenceInterval(1, 10, 0, 0)).toBeUndefined();
  });
});
