import { Command, CommanderError, Option } from "commander";
import { runCheck, type OutputFormat } from "./commands/check.js";
import { runFmt } from "./commands/fmt.js";
import { processIo, type Io } from "./io.js";
import { UsageError } from "./project/files.js";

/** Exit codes: 0 success (warnings allowed), 1 problems found, 2 the command itself was wrong. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("patron")
    .description("Campaigns-as-code for member marketing: check, format, and (soon) run campaign files.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showSuggestionAfterError(true);

  const formatOption = (): Option => new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text");

  program
    .command("check")
    .description("parse and check campaign files; every problem at once; exit 1 on any error")
    .argument("[paths...]", "files or folders (default: the whole campaigns repository)")
    .addOption(formatOption())
    .option("--config <path>", "patron.yaml to use (default: found in this folder or above)")
    .option("-q, --quiet", "print only problems, not the list of campaigns", false)
    .action((paths: string[], opts: { format: OutputFormat; config?: string; quiet: boolean }) => {
      exitCode = runCheck(paths, { format: opts.format, quiet: opts.quiet, ...(opts.config ? { config: opts.config } : {}) }, io);
    });

  program
    .command("fmt")
    .description("rewrite campaign files in the canonical layout")
    .argument("[paths...]", "files or folders (default: the whole campaigns repository)")
    .option("--check", "change nothing; exit 1 if a file is not formatted", false)
    .action((paths: string[], opts: { check: boolean }) => {
      exitCode = runFmt(paths, { check: opts.check }, io);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes were already printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.err(`patron: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
