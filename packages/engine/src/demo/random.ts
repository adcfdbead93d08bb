/*
 * The demo generator's randomness: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * 32-bit, passes PractRand), written out here rather than taken from a package.
 *
 * Why not a library (pure-rand is light and already in the workspace through fast-check): a
 * million members draw a few hundred million numbers, and every draw here is a handful of
 * integer operations on four fields, without an allocation or a call through a distribution
 * object. Reseeding in place for each member is what makes the data of member i depend only on
 * (seed, i) — so generation order, chunking and the CSV/store sinks can never change the data.
 *
 * Everything below uses only integer arithmetic and Math.log/exp/sqrt/cos, which V8 computes
 * with its own fdlibm port: the same numbers on every machine, so the same seed gives
 * byte-identical data.
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** A second normal deviate from Box–Muller, kept for the next call. */
  private spareNormal: number | undefined;

  constructor(seed: number, stream = 0) {
    this.reseed(seed, stream);
  }

  /** Restarts the generator on stream `stream` of `seed` (e.g. one stream per member). */
  reseed(seed: number, stream: number): void {
    const low = seed >>> 0;
    const high = Math.floor(seed / 4294967296) >>> 0;
    this.a = mix32(low ^ 0x9e3779b9);
    this.b = mix32(high ^ 0x85ebca6b ^ mix32(stream >>> 0));
    this.c = mix32((stream >>> 0) ^ 0xc2b2ae35);
    this.d = 1;
    this.spareNormal = undefined;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [low, high] (both inclusive). */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.float(); // (0, 1]: log(u) is finite
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma²)): heavy right tail. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Number of failures before the first success, success probability p: 0, 1, 2, … */
  geometric(p: number): number {
    return Math.floor(Math.log(1 - this.float()) / Math.log(1 - p));
  }

  /** Rounds x up or down at random so that the expected value is x (x ≥ 0). */
  roundRandomly(x: number): number {
    const whole = Math.floor(x);
    return whole + (this.float() < x - whole ? 1 : 0);
  }
}

/** A murmur3-style 32-bit finaliser: spreads seeds that differ in one bit. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Weighted choice in O(log n): built once from (item, weight) pairs, then each draw is a binary
 * search over the cumulative weights.
 */
export class Weighted<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error("a weighted choice needs at least one item");
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  draw(random: Random): T {
    const x = random.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.cumulative[mid] as number) > x) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }
}
