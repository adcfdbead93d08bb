import type { Io } from "../../packages/cli/src/io.js";

/** An Io for calling a command in-process: what it prints is kept in `lines` and `errors`. */
export function captureIo(cwd: string = process.cwd()): Io & { readonly lines: string[]; readonly errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    cwd,
    lines,
    errors,
    out: (line) => lines.push(line),
    write: (chunk) => lines.push(chunk),
    err: (line) => errors.push(line),
    stdoutStream: process.stdout,
  };
}
