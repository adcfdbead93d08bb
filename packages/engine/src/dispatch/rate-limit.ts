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
    if (this.perSecond === undefined || this.perSecond <= 0) return 0;
    const now = this.now();
    const at = this.nextStart(now);
    this.next = at + 1000 / this.perSecond;
    return Math.max(0, at - now);
  }

  /** Reserves the next start when it may be now (true), else reserves nothing. */
  tryTurn(): boolean {
    if (this.perSecond !== undefined && this.perSecond > 0) {
      const now = this.now();
      if (this.nextStart(now) > now) return false;
    }
    this.reserve(); // every start goes through reserve()
    return true;
  }

  /** When the next start may be. Behind by a few starts (late timers): the schedule. Further behind (idle): now. */
  private nextStart(now: number): number {
    const interval = 1000 / (this.perSecond as number);
    return this.next < now - CATCH_UP * interval ? now : this.next;
  }
}
