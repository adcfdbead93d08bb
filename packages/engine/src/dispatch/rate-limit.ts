/**
 * At most `perSecond` starts per second, evenly spaced (1000/perSecond ms apart), so a provider's
 * limit is met at every instant, not only on average. The schedule is anchored: a timer that fires
 * late (a busy machine) does not push every later start back — up to CATCH_UP starts that fell
 * behind may go at once — so the achieved rate stays at the configured one, and no second ever
 * holds more than perSecond + CATCH_UP starts. After an idle spell it starts afresh (no burst).
 * Without a rate it never waits.
 */
const CATCH_UP = 2;

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
    return this.take(true);
  }

  /** Reserves the next start when it may be now (true), else reserves nothing. */
  tryTurn(): boolean {
    return this.take(false) === 0;
  }

  private take(wait: boolean): number {
    if (this.perSecond === undefined || this.perSecond <= 0) return 0;
    const now = this.now();
    const interval = 1000 / this.perSecond;
    // Behind by a few starts (late timers): keep the schedule. Further behind (idle): start afresh.
    const at = this.next < now - CATCH_UP * interval ? now : this.next;
    if (!wait && at > now) return at - now;
    this.next = at + interval;
    return Math.max(0, at - now);
  }
}
