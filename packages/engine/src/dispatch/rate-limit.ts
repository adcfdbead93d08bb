/**
 * At most `perSecond` starts per second, evenly spaced (1000/perSecond ms apart, no bursts), so a
 * provider's limit is met at every instant, not only on average. Without a rate it never waits.
 */
export class RateLimiter {
  private next = 0;
  constructor(
    private readonly perSecond: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Milliseconds to wait before the next start; reserves that start. */
  reserve(): number {
    if (this.perSecond === undefined || this.perSecond <= 0) return 0;
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    return at - now;
  }
}
