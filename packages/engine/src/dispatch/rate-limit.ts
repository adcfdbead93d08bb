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

  /** Reserves the next start and waits for it (a timer may fire early: wait until the clock agrees). */
  async waitTurn(): Promise<void> {
    const wait = this.reserve();
    if (wait <= 0) return;
    const at = this.now() + wait;
    for (let left = wait; left > 0; left = at - this.now()) await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }

  /** Milliseconds to wait before the next start; reserves that start. */
  reserve(): number {
    if (this.perSecond === undefined || this.perSecond <= 0) return 0;
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    return at - now;
  }
}
