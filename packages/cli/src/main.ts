import { Command, CommanderError, Option } from "commander";
import type { OutputFormat } from "./commands/check.js";
import type { ReportCommandOptions } from "./commands/report.js";
import { wholeNumber } from "./project/numbers.js";
import { processIo, type Io } from "./io.js";
import { UsageError } from "./project/files.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// Each command's module is imported when the command runs, and the bundle is split along these
// imports: `patron check` never loads the Twilio SDK or nodemailer, which keeps start-up short.

/** Exit codes: 0 success (warnings allowed), 1 problems found, 2 the command itself was wrong. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("patron")
    .description("Campaigns-as-code for member marketing: check campaign files, select their audiences, dry-run, run and schedule them.")
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
    .action(async (paths: string[], opts: { format: OutputFormat; config?: string; quiet: boolean }) => {
      exitCode = await (
        await import("./commands/check.js")
      ).runCheck(paths, { format: opts.format, quiet: opts.quiet, ...(opts.config ? { config: opts.config } : {}) }, io);
    });

  program
    .command("fmt")
    .description("rewrite campaign files in the canonical layout")
    .argument("[paths...]", "files or folders (default: the whole campaigns repository)")
    .option("--check", "change nothing; exit 1 if a file is not formatted", false)
    .action(async (paths: string[], opts: { check: boolean }) => {
      exitCode = await (await import("./commands/fmt.js")).runFmt(paths, { check: opts.check }, io);
    });

  const dataOptions = (command: Command): Command =>
    command
      .option("--db <path>", "SQLite database (default: patron.yaml's database)")
      .option("--as-of <instant>", "ISO 8601 instant to act at (default: now); without an offset, in the business time zone")
      .option("--config <path>", "patron.yaml to use (default: found in this folder or above)");
  const jsonFormat = (): Option => new Option("--format <format>", "output format").choices(["text", "json"]).default("text");

  program
    .command("import")
    .description("load members, purchases or points from a CSV file; rejected rows go to FILE.rejects.csv")
    .argument("<kind>", "members, purchases or points")
    .argument("<file>", "the CSV file (UTF-8, header row)")
    .option("--db <path>", "SQLite database (default: patron.yaml's database)")
    .option("--config <path>", "patron.yaml to use")
    .option("--map <source=target>", "read column SOURCE as TARGET (repeatable); A*B=amount multiplies two columns", collect, [])
    .option("--date-format <format>", 'luxon format of the dates, e.g. "M/d/yy H:mm" (default: ISO 8601)')
    .option("--timezone <zone>", "IANA zone of dates without an offset (default: the business time zone)")
    .option("--create-members", "create a bare member for an unknown member id instead of rejecting the row", false)
    .addOption(jsonFormat())
    .action(
      async (
        kind: string,
        file: string,
        opts: {
          db?: string;
          config?: string;
          map: string[];
          dateFormat?: string;
          timezone?: string;
          createMembers: boolean;
          format: "text" | "json";
        },
      ) => {
        exitCode = await (await import("./commands/import.js")).runImport(kind, file, opts, io);
      },
    );

  dataOptions(
    program
      .command("audience")
      .description("the members a campaign's conditions select, before policies")
      .argument("<file>", "the campaign file")
      .option("--campaign <name>", "which campaign, when the file holds several"),
  )
    .addOption(jsonFormat())
    .action(async (file: string, opts: { db?: string; asOf?: string; config?: string; campaign?: string; format: "text" | "json" }) => {
      exitCode = await (await import("./commands/audience.js")).runAudience(file, opts, io);
    });

  dataOptions(
    program
      .command("explain")
      .description("each condition of a campaign for one member: true or false, and the values it saw")
      .argument("<file>", "the campaign file")
      .requiredOption("--member <id>", "the member's id")
      .option("--campaign <name>", "which campaign, when the file holds several"),
  )
    .addOption(jsonFormat())
    .action(
      async (
        file: string,
        opts: { db?: string; asOf?: string; config?: string; campaign?: string; member: string; format: "text" | "json" },
      ) => {
        exitCode = await (await import("./commands/explain.js")).runExplain(file, opts, io);
      },
    );

  dataOptions(
    program
      .command("demo-data")
      .description("fill the database with realistic generated member data for the example business")
      .option("--members <n>", "how many members", "10000")
      .option("--seed <n>", "the same seed gives the same data", "1")
      .option("--replace", "replace the member data already in the database", false),
  )
    .addOption(jsonFormat())
    .action(
      async (opts: {
        db?: string;
        asOf?: string;
        config?: string;
        members: string;
        seed: string;
        replace: boolean;
        format: "text" | "json";
      }) => {
        exitCode = await (await import("./commands/demo-data.js")).runDemoData(opts, io);
      },
    );

  dataOptions(
    program
      .command("dry-run")
      .description("the whole run without sending: audience, policy funnel, sample messages per channel")
      .argument("[files...]", "campaign files or folders (default: every campaign of the repository)")
      .option("--out <file>", "where --format html writes the report", "patron-dry-run.html")
      .option("--samples <n>", "sample messages shown per message and channel", "2"),
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "html"]).default("text"))
    .action(
      async (
        files: string[],
        opts: { db?: string; asOf?: string; config?: string; format: "text" | "json" | "html"; out: string; samples: string },
      ) => {
        exitCode = await (
          await import("./commands/dry-run.js")
        ).runDryRun(files, { ...opts, samples: wholeNumber(opts.samples, "--samples") }, io);
      },
    );

  dataOptions(
    program
      .command("run")
      .description("plan and send: every campaign given (or, with --due, what the schedules say is due); a slot is sent once")
      .argument("[files...]", "campaign files or folders (default: every campaign of the repository)")
      .option("--due", "only campaigns whose scheduled slot is due and not yet run", false)
      .option("--send-to <file>", "write every message as a JSON line to FILE instead of the providers (rehearsals, demos)"),
  )
    .addOption(jsonFormat())
    .action(
      async (
        files: string[],
        opts: { db?: string; asOf?: string; config?: string; due: boolean; sendTo?: string; format: "text" | "json" },
      ) => {
        exitCode = await (await import("./commands/run.js")).runRun(files, opts, io);
      },
    );

  dataOptions(
    program
      .command("schedule")
      .description("long-running: runs each campaign when its schedule says, once per slot, and sends the outbox")
      .option("--once", "look once and stop (for cron or a test) instead of running until stopped", false)
      .option("--send-to <file>", "write every message as a JSON line to FILE instead of the providers"),
  )
    .addOption(jsonFormat())
    .action(async (opts: { db?: string; asOf?: string; config?: string; once: boolean; sendTo?: string; format: "text" | "json" }) => {
      exitCode = await (await import("./commands/schedule.js")).runSchedule(opts, io);
    });

  program
    .command("serve")
    .description("HTTP server for delivery reports, SMS and WeChat replies and one-click unsubscribes (docs/serve.md)")
    .option("--port <n>", "port to listen on (0: any free port)", "8787")
    .option("--host <address>", "address to listen on (0.0.0.0: every interface)", "127.0.0.1")
    .option("--public-url <url>", "the address providers call, which Twilio signs (default: from channels.sms.statusCallback)")
    .option("--db <path>", "SQLite database (default: patron.yaml's database)")
    .option("--config <path>", "patron.yaml to use (default: found in this folder or above)")
    .action(async (opts: { port: string; host: string; publicUrl?: string; db?: string; config?: string }) => {
      exitCode = await (await import("./commands/serve.js")).runServe({ ...opts, port: wholeNumber(opts.port, "--port") }, io);
    });

  dataOptions(
    program
      .command("report")
      .description("per run: funnel, delivery by provider code, goal conversions of treatment vs holdout with uplift; loyalty KPIs")
      .argument("[campaign]", "the campaign's name (default: every campaign)")
      .option("--from <instant>", "start of the period: runs planned and KPIs counted after it (default: 30 days before --as-of)")
      .option("--churn-days <n>", "days without a purchase after which a member counts as churned", "90")
      .option("--redemptions <file>", "import a redemptions CSV (code,redeemed_at[,member_id,order_id]) before reporting")
      .option("--date-format <format>", "luxon format of the redemptions file's dates (default: ISO 8601)")
      .option("--out <file>", "where --format html writes the report", "patron-report.html"),
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "html"]).default("text"))
    .action(async (campaign: string | undefined, opts: ReportCommandOptions) => {
      exitCode = await (await import("./commands/report.js")).runReport(campaign, opts, io);
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
