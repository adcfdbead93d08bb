import type { Io } from "../io.js";

/**
 * What a run tells the person or the machine watching it: on a terminal, a one-line progress
 * display (stderr) and a text summary at the end; otherwise (cron, CI, a log collector) one JSON
 * object per line on stdout for every event but individual successful sends, which only count.
 */
export class RunLog {
  private lastProgress = 0;

  constructor(
    private readonly io: Io,
    private readonly format: "text" | "json",
  ) {}

  event(fields: Record<string, unknown>): void {
    if (this.format === "json" || !this.io.progress) {
      this.io.out(JSON.stringify({ at: new Date().toISOString(), ...fields }, (_k, v: unknown) => (v === undefined ? undefined : v)));
    }
  }

  /** A progress bar: `[██████░░░░] 62% label 6,200/10,000`; total 0 shows the count alone. */
  bar(label: string, done: number, total: number): void {
    if (total <= 0) return this.progress(`${label} ${done.toLocaleString("en-US")}`);
    const share = Math.min(1, done / total);
    const width = 24;
    const filled = Math.round(share * width);
    this.progress(
      `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${label} ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`,
    );
  }

  /** At most ten updates a second; "" clears the line. */
  progress(text: string): void {
    if (!this.io.progress) return;
    const now = performance.now();
    if (text !== "" && now - this.lastProgress < 100) return;
    this.lastProgress = now;
    this.io.progress(text);
  }
}
