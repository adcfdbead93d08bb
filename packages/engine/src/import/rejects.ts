import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { stringify } from "csv-stringify/sync";

/**
 * The rejects CSV: `line,reason` and then the row's original cells under the file's original
 * header, so a marketer can fix the rows and import the rejects file itself (after deleting the
 * two first columns). Rows are buffered and written per batch; the file is created on the first
 * reject only.
 */
export class RejectsWriter {
  private fd: number | undefined;
  private pending: string[][] = [];

  constructor(
    readonly path: string,
    private readonly header: readonly string[],
  ) {}

  add(line: number, reason: string, fields: readonly string[]): void {
    this.pending.push([String(line), reason, ...fields]);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd === undefined) {
      this.fd = openSync(this.path, "w");
      writeSync(this.fd, stringify([["line", "reason", ...this.header]]));
    }
    writeSync(this.fd, stringify(this.pending));
    this.pending = [];
  }

  /** Flushes and closes; true when the file was written. */
  close(): boolean {
    this.flush();
    if (this.fd === undefined) return false;
    closeSync(this.fd);
    this.fd = undefined;
    return true;
  }

  /** Removes a rejects file left by an earlier import of the same file. */
  static removeStale(path: string): void {
    rmSync(path, { force: true });
  }
}
