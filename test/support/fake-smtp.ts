import type { Socket } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

/**
 * A real SMTP server on 127.0.0.1 for tests (the `smtp-server` package), recording every message
 * it accepts, with faults injected on demand. Shared by the SMTP channel's tests and the end-to-end
 * tests (dispatcher, crash recovery): point a channel at `fake.host` / `fake.port`.
 *
 * Each mail transaction (MAIL FROM … DATA) gets the next index, counted from 0 over the server's
 * lifetime, and at most one fault: the next queued one (`failNext`), else whatever the plan says for
 * that index (`setFaultPlan`). A faulted transaction is never recorded, except `slow`, which only
 * delays the reply and then accepts (and records) the message like a real server that committed
 * it: a client that timed out meanwhile cannot know it was delivered.
 */

export type SmtpFault =
  /** Reply with this code to RCPT TO (the recipient) or to the end of DATA (the message). */
  | { readonly at: "rcpt" | "data"; readonly code: 421 | 450 | 451 | 550 | 552 | 554; readonly message?: string }
  /** Close the connection once the message data has arrived, without replying. Nothing is recorded. */
  | { readonly kind: "drop" }
  /** Wait this long before replying to DATA, then accept the message. */
  | { readonly kind: "slow"; readonly ms: number };

export interface FakeSmtpOptions {
  /** TLS from the first byte (like port 465), with smtp-server's built-in self-signed certificate: clients must not verify it. */
  readonly secure?: boolean;
  /** Require AUTH (PLAIN or LOGIN) with exactly these credentials; without it, no login is asked for. */
  readonly auth?: { readonly user: string; readonly password: string };
}

export interface ReceivedMail {
  /** 0-based index of the transaction that carried it (see `failNext`, `setFaultPlan`). */
  readonly index: number;
  /** The From header, parsed. */
  readonly from: { readonly name: string; readonly address: string };
  /** The envelope recipients (RCPT TO). */
  readonly to: readonly string[];
  /** The envelope sender (MAIL FROM). */
  readonly mailFrom: string;
  readonly subject: string;
  readonly text: string | undefined;
  readonly html: string | undefined;
  /** The Message-ID header, angle brackets included. */
  readonly messageId: string | undefined;
  /** Every header, lowercase names, raw values unfolded (encoded words left as sent); repeats joined with "\n". */
  readonly headers: Readonly<Record<string, string>>;
  /** The user that logged in for this session, if any. */
  readonly user: string | undefined;
  /** The whole message as received. */
  readonly raw: string;
  readonly receivedAt: Date;
}

export interface FakeSmtpStats {
  /** Sessions open right now. */
  readonly openSessions: number;
  /** The most sessions ever open at once. */
  readonly maxConcurrentSessions: number;
  readonly totalSessions: number;
  /** Mail transactions started (MAIL FROM), faulted or not. */
  readonly transactions: number;
  readonly failedLogins: number;
}

export interface FakeSmtp {
  readonly host: string;
  readonly port: number;
  /** Messages accepted so far, in order of acceptance. */
  readonly messages: readonly ReceivedMail[];
  stats(): FakeSmtpStats;
  /** The next `times` (default 1) transactions get this fault, ahead of the plan. */
  failNext(fault: SmtpFault, times?: number): void;
  /** Decides the fault of each transaction that the `failNext` queue leaves alone. */
  setFaultPlan(plan: ((transactionIndex: number) => SmtpFault | undefined) | undefined): void;
  /** Resolves once at least `count` messages are recorded; rejects after `timeoutMs` (default 5000). */
  waitForMessages(count: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>;
  /** Forgets recorded messages, queued faults, the plan and the stats but the open sessions (transaction indexes restart at 0). */
  reset(): void;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** The state kept per SMTP session, keyed by session id. */
interface SessionState {
  socket: Socket | undefined;
  index: number;
  fault: SmtpFault | undefined;
}

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = [];
  const queued: SmtpFault[] = [];
  let plan: ((transactionIndex: number) => SmtpFault | undefined) | undefined;
  let stats = { openSessions: 0, maxConcurrentSessions: 0, totalSessions: 0, transactions: 0, failedLogins: 0 };
  const sessions = new Map<string, SessionState>();
  // smtp-server hands out only TLS sockets (onSecure); plain ones are found again by the client's port (all clients are on
  // 127.0.0.1). A TLS session's socket must be the TLS one: destroying the socket beneath a TLS wrap crashes Node.
  const plainSockets = new Map<number, Socket>();
  const waiters = new Set<() => void>();

  const reject = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });
  const state = (session: SMTPServerSession): SessionState => {
    let s = sessions.get(session.id);
    if (!s) {
      s = { socket: undefined, index: -1, fault: undefined };
      sessions.set(session.id, s);
    }
    return s;
  };

  const server = new SMTPServer({
    name: "fake-smtp.test",
    // logger: false also silences smtp-server's warning about its built-in test certificate.
    logger: false,
    secure: options.secure ?? false,
    // No STARTTLS (nodemailer would upgrade a plain session, then distrust the built-in certificate); AUTH without TLS.
    disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    // Replies carry enhanced status codes (550 5.1.1 …), as most real servers' do; smtp-server adds them to fault replies too.
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    closeTimeout: 100,
    onConnect(session, callback) {
      stats.openSessions += 1;
      stats.totalSessions += 1;
      stats.maxConcurrentSessions = Math.max(stats.maxConcurrentSessions, stats.openSessions);
      state(session).socket = options.secure ? undefined : plainSockets.get(session.remotePort);
      callback();
    },
    onSecure(socket, session, callback) {
      state(session).socket = socket;
      callback();
    },
    onClose(session) {
      if (sessions.delete(session.id)) stats.openSessions -= 1;
    },
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected && auth.username === expected.user && auth.password === expected.password) {
        return callback(null, { user: auth.username });
      }
      stats.failedLogins += 1;
      return callback(reject(535, "Authentication credentials invalid"));
    },
    onMailFrom(_address, session, callback) {
      const s = state(session);
      s.index = stats.transactions;
      stats.transactions += 1;
      s.fault = queued.shift() ?? plan?.(s.index);
      callback();
    },
    onRcptTo(_address, session, callback) {
      const fault = state(session).fault;
      if (fault && "at" in fault && fault.at === "rcpt") return callback(reject(fault.code, fault.message ?? defaultText(fault.code)));
      return callback();
    },
    onData(stream, session, callback) {
      const s = state(session);
      void receive(stream, session, s).then(
        (error) => callback(error),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession, s: SessionState): Promise<Error | null> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const fault = s.fault;
    if (fault && "at" in fault && fault.at === "data") return reject(fault.code, fault.message ?? defaultText(fault.code));
    if (fault && "kind" in fault && fault.kind === "drop") {
      s.socket?.destroy();
      return new Error("connection dropped by the test");
    }
    if (fault && "kind" in fault && fault.kind === "slow") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const raw = Buffer.concat(chunks).toString("utf8");
    const parsed = await simpleParser(raw);
    const from = parsed.from?.value[0];
    const headers: Record<string, string> = {};
    for (const { key, line } of parsed.headerLines) {
      const value = line
        .slice(line.indexOf(":") + 1)
        .replace(/\r?\n[ \t]+/g, " ")
        .trim();
      headers[key] = headers[key] === undefined ? value : `${headers[key]}\n${value}`;
    }
    const envelope = session.envelope;
    messages.push({
      index: s.index,
      from: { name: from?.name ?? "", address: from?.address ?? "" },
      to: envelope.rcptTo.map((r) => r.address),
      mailFrom: envelope.mailFrom ? envelope.mailFrom.address : "",
      subject: parsed.subject ?? "",
      text: parsed.text,
      html: typeof parsed.html === "string" ? parsed.html : undefined,
      messageId: parsed.messageId,
      headers,
      user: session.user === undefined ? undefined : String(session.user),
      raw,
      receivedAt: new Date(),
    });
    for (const wake of [...waiters]) wake();
    return null;
  }

  if (!options.secure) {
    server.server.on("connection", (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      plainSockets.set(port, socket);
      socket.once("close", () => plainSockets.delete(port));
    });
  }

  await new Promise<void>((resolve, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", rejectListen);
      resolve();
    });
  });
  // Errors of single connections (a client that went away) are expected here; they must not crash the test run.
  server.on("error", () => {});
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("fake SMTP server: no TCP address after listen");

  return {
    host: "127.0.0.1",
    port: address.port,
    messages,
    stats: () => ({ ...stats }),
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) queued.push(fault);
    },
    setFaultPlan(next) {
      plan = next;
    },
    waitForMessages(count, timeoutMs = 5000) {
      return new Promise((resolve, rejectWait) => {
        const check = (): void => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          rejectWait(new Error(`fake SMTP server: ${messages.length} of ${count} messages arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      messages.length = 0;
      queued.length = 0;
      plan = undefined;
      stats = { ...stats, maxConcurrentSessions: stats.openSessions, totalSessions: 0, transactions: 0, failedLogins: 0 };
    },
    close() {
      for (const session of sessions.values()) session.socket?.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultText(code: number): string {
  const texts: Record<number, string> = {
    421: "Service not available, try again later",
    450: "Mailbox busy, try again later",
    451: "Local error in processing, try again later",
    550: "Mailbox does not exist",
    552: "Message exceeds the storage allocation",
    554: "Transaction failed",
  };
  return texts[code] ?? "Rejected by the test";
}
