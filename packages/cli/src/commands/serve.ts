import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PatronConfig } from "@patron/config";
import {
  handleInboundSms,
  handleTwilioStatus,
  handleUnsubscribe,
  handleWechatEvent,
  handleWechatVerify,
  isOneClickBody,
  parseForm,
  replyKeywords,
  unsubscribePage,
  type Db,
  type ReplyKeywords,
  type WebhookResponse,
} from "@patron/engine";
import type { Io } from "../io.js";
import { openData } from "../project/data.js";
import { UsageError } from "../project/files.js";
import { requireProject } from "../project/project.js";
import { SIGNING_SECRET_ENV } from "./run.js";

/** The environment variable holding the Token of the WeChat official account's server configuration. */
export const WECHAT_TOKEN_ENV = "PATRON_WECHAT_TOKEN";

/** The largest request body read; providers send a few hundred bytes. */
export const BODY_LIMIT = 64 * 1024;

export interface ServeOptions {
  readonly config?: string;
  readonly db?: string;
  readonly host: string;
  /** 0 picks any free port (the handle says which). */
  readonly port: number;
  /**
   * The URL the providers call this server at (e.g. https://hooks.example.com), which Twilio signs.
   * Default: what channels.sms.statusCallback says, else http:// and the request's Host header.
   */
  readonly publicUrl?: string;
}

export interface ServeHandle {
  /** Where the server listens, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends open connections and closes the database. */
  close(): Promise<void>;
}

type Method = "GET" | "POST";

/** A request as the handlers need it: parsed at this edge, never touched raw beyond it. */
interface Incoming {
  readonly method: Method;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly body: string;
  /** The URL the caller used, as the provider saw it (see publicUrl). */
  readonly publicUrl: string;
  readonly twilioSignature: string | undefined;
}

/** A handler's answer, or one of this edge's own (404, 405, 413, …) with the headers it needs. */
type Answer = WebhookResponse & { readonly headers?: Readonly<Record<string, string>> };

interface Route {
  readonly methods: readonly Method[];
  /** Why the route answers 404: the credential it needs is not configured. */
  readonly disabled?: string;
  readonly handle: (request: Incoming) => WebhookResponse;
}

/**
 * Starts `patron serve`: an HTTP server for the providers' callbacks and members' unsubscribe
 * links (routes in docs/serve.md). Each route works when its secret is configured and answers 404
 * otherwise; the startup log line says which are on. Bodies are read up to BODY_LIMIT (413 past
 * it) and parsed here; the handlers check signatures before they change anything.
 */
export async function startServe(options: ServeOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<ServeHandle> {
  const project = requireProject(options.config, io);
  if (!project) throw new UsageError("patron.yaml could not be loaded (see above)");
  const config = project.config;
  const off = offReasons(config, env);
  if (Object.values(off).every((reason) => reason !== undefined)) {
    throw new UsageError(`nothing to serve: ${[...new Set(Object.values(off))].join("; ")}`);
  }
  const publicBase = options.publicUrl === undefined ? publicBaseFromConfig(config) : publicBaseOption(options.publicUrl);
  const data = openData(config, options.db === undefined ? {} : { db: options.db }, io.cwd, { mustExist: true });
  const db = data.db;
  const routes = bindRoutes(off, db, config, env);
  const log = (fields: Record<string, unknown>): void => io.out(JSON.stringify({ at: new Date().toISOString(), ...fields }));

  const server = createServer((req, res) => {
    void serveOne(req, res, routes, publicBase, log);
  });
  // A slow or endless body is cut off rather than held open.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    db.close();
    throw new UsageError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  log({
    event: "listening",
    url,
    publicUrl: publicBase ?? "from each request's Host header",
    db: data.dbPath,
    routes: Object.fromEntries(Object.entries(off).map(([path, reason]) => [path, reason ?? "on"])),
  });

  let closed = false;
  return {
    url,
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

/** `patron serve`: serves until SIGINT or SIGTERM. */
export async function runServe(options: ServeOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const handle = await startServe(options, io, env);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await handle.close();
  return 0;
}

type RoutePath = "/twilio/status" | "/twilio/inbound" | "/wechat" | "/unsubscribe";

/** For each route, why it is off (the secret it needs is not configured), or undefined when it is on. */
function offReasons(config: PatronConfig, env: NodeJS.ProcessEnv): Record<RoutePath, string | undefined> {
  const sms = config.channels.sms;
  const twilio =
    sms === undefined
      ? "no channels.sms in patron.yaml"
      : env[sms.authToken.env]
        ? undefined
        : `channels.sms.authToken names ${sms.authToken.env}, which is not set: export ${sms.authToken.env}=<the Twilio auth token>`;
  const wechat = env[WECHAT_TOKEN_ENV]
    ? undefined
    : `${WECHAT_TOKEN_ENV} is not set: export ${WECHAT_TOKEN_ENV}=<the Token of the official account's server configuration>`;
  const unsubscribe = env[SIGNING_SECRET_ENV]
    ? undefined
    : `${SIGNING_SECRET_ENV} is not set: export ${SIGNING_SECRET_ENV}=<the secret patron run signs unsubscribe links with>`;
  return { "/twilio/status": twilio, "/twilio/inbound": twilio, "/wechat": wechat, "/unsubscribe": unsubscribe };
}

function bindRoutes(
  off: Record<RoutePath, string | undefined>,
  db: Db,
  config: PatronConfig,
  env: NodeJS.ProcessEnv,
): ReadonlyMap<string, Route> {
  const keywords: ReplyKeywords = replyKeywords(config.region, config.optOutKeywords);
  const secret = (name: string | undefined): string => (name === undefined ? "" : (env[name] ?? ""));
  const authToken = secret(config.channels.sms?.authToken.env);
  const wechat = { token: secret(WECHAT_TOKEN_ENV), keywords };
  const unsubscribe = { secret: secret(SIGNING_SECRET_ENV), business: config.business, region: config.region };
  const signed = (r: Incoming) => ({ url: r.publicUrl, signature: r.twilioSignature });
  const handlers: Record<RoutePath, Omit<Route, "disabled">> = {
    "/twilio/status": {
      methods: ["POST"],
      handle: (r) => withForm(r, (params) => handleTwilioStatus(db, { ...signed(r), params }, { authToken })),
    },
    "/twilio/inbound": {
      methods: ["POST"],
      handle: (r) =>
        withForm(r, (params) => handleInboundSms(db, { ...signed(r), params }, { authToken, keywords, region: config.region })),
    },
    "/wechat": {
      methods: ["GET", "POST"],
      handle: (r) =>
        r.method === "GET" ? handleWechatVerify(r.query, wechat) : handleWechatEvent(db, { ...r.query, xml: r.body }, wechat),
    },
    "/unsubscribe": {
      methods: ["GET", "POST"],
      handle: (r) =>
        r.method === "GET"
          ? unsubscribePage(db, r.query, unsubscribe)
          : handleUnsubscribe(db, { ...r.query, oneClick: isOneClickBody(r.contentType, r.body) }, unsubscribe),
    },
  };
  return new Map(
    Object.entries(handlers).map(([path, route]) => {
      const reason = off[path as RoutePath];
      return [path, reason === undefined ? route : { ...route, disabled: reason }];
    }),
  );
}

/** Twilio posts form bodies; anything else is not a Twilio webhook. */
function withForm(request: Incoming, handle: (params: Readonly<Record<string, string>>) => WebhookResponse): WebhookResponse {
  if (mediaType(request.contentType) !== "application/x-www-form-urlencoded") {
    return plain(415, "expected an application/x-www-form-urlencoded body", { result: "malformed" });
  }
  const form = parseForm(request.body);
  if ("error" in form) return plain(400, `the form: ${form.error}`, { result: "malformed", reason: `the form: ${form.error}` });
  return handle(form.params);
}

async function serveOne(
  req: IncomingMessage,
  res: ServerResponse,
  routes: ReadonlyMap<string, Route>,
  publicBase: string | undefined,
  log: (fields: Record<string, unknown>) => void,
): Promise<void> {
  const started = performance.now();
  let path = "?";
  let answer: Answer;
  try {
    const target = new URL(req.url ?? "/", "http://patron.invalid");
    path = target.pathname;
    answer = await answerFor(req, target, routes, publicBase);
  } catch (error) {
    answer = plain(500, "internal error", { result: "error", error: (error as Error).message });
  }
  res.writeHead(answer.status, {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body),
    "cache-control": "no-store",
    ...answer.headers,
  });
  res.end(answer.body);
  // The query is left out of the log: it carries signatures and unsubscribe tokens.
  log({ ...answer.log, event: "request", method: req.method, path, status: answer.status, ms: Math.round(performance.now() - started) });
}

async function answerFor(
  req: IncomingMessage,
  target: URL,
  routes: ReadonlyMap<string, Route>,
  publicBase: string | undefined,
): Promise<Answer> {
  if (target.pathname === "/healthz" && req.method === "GET") return plain(200, "ok", { result: "ok" });
  const route = routes.get(target.pathname);
  if (!route) return plain(404, "not found", { result: "not found" });
  if (route.disabled !== undefined) {
    return plain(404, "this route is not enabled on this server", { result: "off", reason: route.disabled });
  }
  const method = req.method as Method;
  if (!route.methods.includes(method)) {
    req.resume();
    return { ...plain(405, "method not allowed", { result: "method not allowed" }), headers: { allow: route.methods.join(", ") } };
  }
  const query = parseForm(target.search.slice(1));
  if ("error" in query) return plain(400, `the query: ${query.error}`, { result: "malformed", reason: `the query: ${query.error}` });
  const raw = method === "POST" ? await readBody(req, BODY_LIMIT) : Buffer.alloc(0);
  if (raw === "too large") {
    return { ...plain(413, `the body is larger than ${BODY_LIMIT} bytes`, { result: "too large" }), headers: { connection: "close" } };
  }
  if (method === "GET") req.resume();
  let body: string;
  try {
    body = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return plain(400, "the body is not UTF-8", { result: "malformed", reason: "the body is not UTF-8" });
  }
  const signature = req.headers["x-twilio-signature"];
  // Twilio signed the path and query as it sent them, before any normalization.
  const sent = req.url?.startsWith("/") ? req.url : `${target.pathname}${target.search}`;
  return route.handle({
    method,
    query: query.params,
    contentType: req.headers["content-type"],
    body,
    publicUrl: `${publicBase ?? `http://${req.headers.host ?? "localhost"}`}${sent}`,
    twilioSignature: Array.isArray(signature) ? signature[0] : signature,
  });
}

/**
 * The body, or "too large" as soon as it passes the limit (declared or counted). The rest of an
 * oversized body is read and dropped, so the caller gets the 413 rather than a reset connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too large"> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      req.resume();
      resolve("too large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve("too large");
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

/**
 * Twilio signs the URL it calls. patron.yaml's statusCallback is that URL for status callbacks,
 * so the public address of every route is what precedes /twilio/status in it.
 */
function publicBaseFromConfig(config: PatronConfig): string | undefined {
  const callback = config.channels.sms?.statusCallback;
  if (callback === undefined) return undefined;
  const withoutQuery = callback.split("?")[0]!;
  return withoutQuery.endsWith("/twilio/status") ? withoutQuery.slice(0, -"/twilio/status".length) : undefined;
}

function publicBaseOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--public-url ${value}: expected an absolute URL such as https://hooks.example.com`);
  }
  if (url.search !== "" || url.hash !== "") throw new UsageError(`--public-url ${value}: give the address without a query or fragment`);
  return value.replace(/\/+$/, "");
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function plain(status: number, message: string, log: Readonly<Record<string, unknown>>): WebhookResponse {
  return { status, contentType: "text/plain; charset=utf-8", body: `${message}\n`, log };
}
