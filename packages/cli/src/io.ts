/** Where a command writes, and the folder it works in. Tests pass their own; the binary passes the process's. */
export interface Io {
  readonly cwd: string;
  readonly out: (line: string) => void;
  /** Raw output, no newline added (for streamed JSON). */
  readonly write: (chunk: string) => void;
  readonly err: (line: string) => void;
  readonly stdoutStream: NodeJS.WriteStream;
  /** A one-line progress display on a terminal (stderr); absent when stderr is not a terminal. */
  readonly progress?: (text: string) => void;
}

export function processIo(): Io {
  // `patron check | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    write: (chunk) => process.stdout.write(chunk),
    err: (line) => process.stderr.write(`${line}\n`),
    stdoutStream: process.stdout,
    ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`\r${text}\u001b[K`) } : {}),
  };
}
