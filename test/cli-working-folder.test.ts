import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../packages/cli/src/main.js";
import { captureIo } from "./support/io.js";

/*
 * The CLI works in the folder its Io names, which need not be the process's own (a program that
 * embeds Patron, a test): patron.yaml is found and read there.
 */
describe("the working folder", () => {
  it("finds and reads patron.yaml in the Io's folder, not the process's", async () => {
    const cwd = join(import.meta.dirname, "fixtures/mini");
    expect(process.cwd()).not.toBe(cwd);
    const io = captureIo(cwd);
    const code = await main(["check", "--format", "json"], io);
    expect(io.errors).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(io.lines.join("")) as { ok: boolean; files: string[] };
    expect(report.ok).toBe(true);
    expect(report.files).toContain("cross-sell.campaign");
  });
});
