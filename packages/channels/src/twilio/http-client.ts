import { AsyncLocalStorage } from "node:async_hooks";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import type twilio from "twilio";

/** Twilio's own origin: the SDK builds every URL on it. */
export const TWILIO_API_ORIGIN = "https://api.twilio.com";

/** The SDK's request options, as BaseTwilio.request hands them to its `httpClient`. */
type SdkRequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0];

/** What an HTTP exchange left behind for the call that made it (see `exchangeRecorder`). */
export interface ExchangeRecord {
  /** Headers of the last response: Twilio's errors drop them, and Retry-After lives there. */
  responseHeaders?: IncomingHttpHeaders;
}

/**
 * The SDK turns an error response into a RestException that keeps the status, code and message but
 * not the headers, so a 429's Retry-After would be lost. Each send runs inside `exchangeRecorder.run`
 * with a record of its own; the HTTP client writes the response headers into whichever record is
 * current. AsyncLocalStorage keeps concurrent sends apart without one SDK client per send.
 */
export const exchangeRecorder = new AsyncLocalStorage<ExchangeRecord>();

/** A request that got no HTTP response: nothing reached Twilio, or what did is unknown. */
export class TransportError extends Error {
  /** "timeout", or node's error code (ECONNRESET, ECONNREFUSED, EPIPE, ...). */
  readonly code: string;
  /**
   * True when the request may have reached Twilio before it failed (timeout, reset, hang-up), so the
   * message may have been accepted; false when the connection was never made (refused, DNS).
   */
  readonly ambiguous: boolean;
  constructor(code: string, message: string, ambiguous: boolean) {
    super(message);
    this.name = "TransportError";
    this.code = code;
    this.ambiguous = ambiguous;
  }
}

/** Errors raised before any byte left: the request certainly never reached Twilio. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

export interface LocalHttpClientOptions {
  /** Where requests for https://api.twilio.com go instead (a fake server in tests, a proxy in production). */
  readonly baseUrl: string;
  /** The whole request, connect to last byte of the answer, in ms. */
  readonly timeoutMs: number;
  /** Sockets kept open to the base URL (the channel's concurrency, plus one for lookups). */
  readonly maxSockets: number;
}

/**
 * The SDK's `httpClient`, performing each request with node's http/https instead of axios. The SDK
 * can only be pointed elsewhere by edge/region (still *.twilio.com), so this is where requests for
 * api.twilio.com are sent to `baseUrl`. The SDK calls only its `request` method (BaseTwilio.request),
 * so it does not extend the SDK's RequestClient: that would load the SDK when this module loads.
 */
export class LocalHttpClient {
  readonly #baseUrl: URL;
  readonly #timeoutMs: number;
  readonly #agent: http.Agent | https.Agent;

  constructor(options: LocalHttpClientOptions) {
    this.#baseUrl = new URL(options.baseUrl);
    this.#timeoutMs = options.timeoutMs;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.#agent = this.#baseUrl.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  async request<TData>(opts: SdkRequestOptions) {
    const url = rewriteOrigin(opts.uri, this.#baseUrl);
    for (const [key, value] of formEntries(opts.params)) url.searchParams.append(key, value);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.username && opts.password) {
      headers["Authorization"] = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString("base64")}`;
    }
    let payload: Buffer | undefined;
    if (opts.data !== undefined && opts.data !== null) {
      const form = new URLSearchParams();
      for (const [key, value] of formEntries(opts.data)) form.append(key, value);
      payload = Buffer.from(form.toString(), "utf8");
      headers["Content-Type"] ??= "application/x-www-form-urlencoded";
      headers["Content-Length"] = String(payload.length);
    }
    const response = await this.#send(url, opts.method.toUpperCase(), headers, payload, opts.timeout ?? this.#timeoutMs);
    const record = exchangeRecorder.getStore();
    if (record) record.responseHeaders = response.headers;
    // The SDK's own client hands back axios's parsed body; Version/Page accept a string or an object.
    return { statusCode: response.statusCode, body: parseBody(response) as TData, headers: response.headers };
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  #send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    payload: Buffer | undefined,
    timeoutMs: number,
  ): Promise<{ statusCode: number; headers: IncomingHttpHeaders; text: string }> {
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: TransportError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const request = transport.request(url, { method, headers, agent: this.#agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => fail(toTransportError(error)));
        response.on("aborted", () =>
          fail(new TransportError("ECONNRESET", "the connection closed while Twilio's answer was arriving", true)),
        );
        response.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") });
        });
      });
      // One deadline for the whole exchange: a socket timeout alone would let a trickling answer run forever.
      const timer = setTimeout(() => {
        fail(new TransportError("timeout", `no complete answer from Twilio within ${timeoutMs} ms`, true));
        request.destroy();
      }, timeoutMs);
      request.on("error", (error) => fail(toTransportError(error)));
      request.end(payload);
    });
  }
}

/** The SDK always builds on https://api.twilio.com; only that origin is replaced, anything else is refused. */
function rewriteOrigin(uri: string, baseUrl: URL): URL {
  const target = new URL(uri);
  if (target.origin === baseUrl.origin) return target;
  if (target.origin !== TWILIO_API_ORIGIN) {
    throw new Error(
      `the Twilio channel only talks to ${TWILIO_API_ORIGIN} (sent to ${baseUrl.origin}); the SDK asked for ${target.origin}`,
    );
  }
  const prefix = baseUrl.pathname.replace(/\/+$/, "");
  return new URL(`${prefix}${target.pathname}${target.search}`, baseUrl.origin);
}

/** Form and query values the way Twilio reads them: arrays as repeated keys, dates already serialized by the SDK. */
function formEntries(values: unknown): [string, string][] {
  if (values === null || typeof values !== "object") return [];
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (item === undefined || item === null) continue;
      entries.push([key, item instanceof Date ? item.toISOString() : String(item as string | number | boolean)]);
    }
  }
  return entries;
}

function parseBody(response: { headers: IncomingHttpHeaders; text: string }): unknown {
  if (!/\bjson\b/i.test(response.headers["content-type"] ?? "")) return response.text;
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return response.text;
  }
}

function toTransportError(error: Error & { code?: unknown }): TransportError {
  const code = typeof error.code === "string" ? error.code : "ECONNRESET";
  // Node's own text names only the address; "socket hang up" comes with code ECONNRESET.
  return new TransportError(code, `${error.message} (${code})`, !NEVER_CONNECTED.has(code));
}
