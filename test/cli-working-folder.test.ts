import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Io } from "../packages/cli/src/io.js";
import { main } from "../packages/cli/src/main.js";

/*
 * The CLI works in the folder its Io names, which need not be the process's own (a program that
 * embeds Patron, a test): patron.yaml is found and read there.
 */
describe("the working folder", () => {
  it("finds and reads patron.yaml in the Io's folder, not the process's", async () => {
    const cwd = join(import.meta.dirname, "fixtures/mini");
    expect(process.cwd()).not.toBe(cwd);
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      cwd,
      out: (line) => out.push(line),
      write: (chunk) => out.push(chunk),
      err: (line) => err.push(line),
      stdoutStream: process.stdout,
    };
    const code = await main(["check", "--format", "json"], io);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(out.join("")) as { ok: boolean; files: string[] };
    expect(report.ok).toBe(true);
    expect(report.files).toContain("cross-sell.campaign");
  });
});
