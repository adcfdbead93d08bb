/** Where a command writes, and the folder it works in. Tests pass their own; the binary passes the process's. */
export interface Io {
  readonly cwd: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly stdoutStream: NodeJS.WriteStream;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdoutStream: process.stdout,
  };
}
