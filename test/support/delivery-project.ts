import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeSmtp, type FakeSmtp } from "./fake-smtp.js";
import { startFakeTwilio, type FakeTwilio } from "./fake-twilio.js";
import { startFakeWechat, type FakeWechat, type FakeWechatOptions } from "./fake-wechat.js";

/*
 * What the end-to-end delivery tests share: a copy of a fixture project whose patron.yaml sends to
 * fake providers of the test process, the built `patron` binary run as a child process with their
 * credentials, and read-only looks into the project's database.
 */

const root = join(import.meta.dirname, "../..");
export const PATRON_BIN = join(root, "packages/cli/bin/patron.js");

/** The provider credentials patron.yaml may name, removed from the child's environment unless given. */
const CREDENTIALS = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "PATRON_SIGNING_SECRET"];

export interface Fakes {
  readonly twilio: FakeTwilio;
  readonly smtp: FakeSmtp;
  readonly wechat: FakeWechat;
}

export async function startFakes(wechat: FakeWechatOptions = {}): Promise<Fakes> {
  return { twilio: await startFakeTwilio(), smtp: await startFakeSmtp(), wechat: await startFakeWechat(wechat) };
}

export async function closeFakes(fakes: Fakes): Promise<void> {
  await Promise.all([fakes.twilio.close(), fakes.smtp.close(), fakes.wechat.close()]);
}

/** The environment variables patron.yaml's channels name, set to the fakes' credentials. */
export function fakeCredentials(fakes: Fakes): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: fakes.twilio.accountSid,
    TWILIO_AUTH_TOKEN: fakes.twilio.authToken,
    WECHAT_APP_ID: fakes.wechat.appId,
    WECHAT_APP_SECRET: fakes.wechat.appSecret,
  };
}

export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of CREDENTIALS) delete env[name];
  return { ...env, ...extra };
}

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs patron to its end without blocking this process's event loop (the fake servers live in it). */
export function patron(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return collect(startPatron(args, cwd, env));
}

/** Starts patron as a child process, for a test that may kill it. */
export function startPatron(args: readonly string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [PATRON_BIN, ...args], { cwd, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
}

/** What a started child printed, and how it ended. */
export function collect(child: ChildProcess): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr?.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface ChannelSettings {
  /** ratePerSecond of every channel; none when absent. */
  readonly ratePerSecond?: number;
}

/**
 * A copy of `fixture` in a fresh temporary folder, with `membersCsv` written and imported and the
 * channels block of patron.yaml replaced by one that points every provider at `fakes`.
 */
export function deliveryProject(fixture: string, membersCsv: string, fakes: Fakes, settings: ChannelSettings = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "patron-faults-"));
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(join(dir, "members.csv"), membersCsv);
  const yamlPath = join(dir, "patron.yaml");
  const yaml = readFileSync(yamlPath, "utf8");
  const block = /^channels:\n(?: {2}.*\n)+/m;
  if (!block.test(yaml)) throw new Error(`${fixture}/patron.yaml: no channels block to point at the fake servers`);
  writeFileSync(yamlPath, yaml.replace(block, channelsBlock(fakes, settings)));
  const imported = spawnSync(process.execPath, [PATRON_BIN, "import", "members", "members.csv", "--format", "json"], {
    cwd: dir,
    encoding: "utf8",
    env: childEnv({}),
  });
  if (imported.status !== 0) throw new Error(`patron import members failed in ${dir}: ${imported.stderr}`);
  const counts = JSON.parse(imported.stdout) as { rejected?: number };
  if (counts.rejected !== 0) throw new Error(`patron import members rejected rows of ${dir}/members.csv: ${imported.stdout}`);
  return dir;
}

function channelsBlock(fakes: Fakes, settings: ChannelSettings): string {
  const rate = settings.ratePerSecond === undefined ? "" : `    ratePerSecond: ${settings.ratePerSecond}\n`;
  return [
    "channels:\n",
    "  sms:\n",
    "    provider: twilio\n",
    '    from: "+861012345678"\n',
    "    accountSid: { env: TWILIO_ACCOUNT_SID }\n",
    "    authToken: { env: TWILIO_AUTH_TOKEN }\n",
    `    baseUrl: "${fakes.twilio.baseUrl}"\n`,
    rate,
    "  email:\n",
    "    provider: smtp\n",
    `    host: ${fakes.smtp.host}\n`,
    `    port: ${fakes.smtp.port}\n`,
    "    secure: false\n",
    `    from: "Faults Shop <club@faults.example>"\n`,
    rate,
    "  wechat:\n",
    "    provider: wechat-official-account\n",
    "    appId: { env: WECHAT_APP_ID }\n",
    "    appSecret: { env: WECHAT_APP_SECRET }\n",
    `    baseUrl: "${fakes.wechat.baseUrl}"\n`,
    rate,
  ].join("");
}

// better-sqlite3 is the engine's dependency, not the workspace root's: load it from there.
interface Sqlite {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
}
const Database = createRequire(join(root, "packages/engine/package.json"))("better-sqlite3") as new (
  file: string,
  options: { readonly: boolean },
) => Sqlite;

/** The rows of a query on the project's database, opened read-only for this one query. */
export function query<T>(dir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, "patron.db"), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
