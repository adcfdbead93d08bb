import http from "node:http";
import https from "node:https";

/** What came back from one HTTP exchange: a complete response, or why there was none. */
export type HttpOutcome =
  | { readonly kind: "response"; readonly status: number; readonly text: string }
  | { readonly kind: "network"; readonly code: string; readonly detail: string };

export interface HttpJsonClient {
  get(url: URL): Promise<HttpOutcome>;
  post(url: URL, body: unknown): Promise<HttpOutcome>;
  /** Destroys the pooled sockets. */
  close(): void;
}

/** WeChat's answers are a few hundred bytes; anything this large is not the API talking. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A small JSON-over-HTTP client on node:http with its own keep-alive pools, so `close()` really
 * releases this channel's sockets. `timeoutMs` bounds the whole exchange (connect, send, the full
 * answer), not just socket idleness. It never rejects: network trouble comes back as an outcome
 * with Node's error code (ECONNRESET, ECONNREFUSED, …) or "timeout".
 */
export function httpJsonClient(options: { readonly timeoutMs: number; readonly maxSockets: number }): HttpJsonClient {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
  };

  function exchange(url: URL, method: "GET" | "POST", payload?: string): Promise<HttpOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: HttpOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const secure = url.protocol === "https:";
      const headers: http.OutgoingHttpHeaders = { accept: "application/json" };
      if (payload !== undefined) {
        headers["content-type"] = "application/json; charset=utf-8";
        headers["content-length"] = Buffer.byteLength(payload);
      }
      const request = (secure ? https : http).request(
        url,
        { method, headers, agent: secure ? agents["https:"] : agents["http:"] },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              finish({ kind: "network", code: "response-too-large", detail: `the answer exceeded ${MAX_RESPONSE_BYTES} bytes` });
              request.destroy();
            } else chunks.push(chunk);
          });
          response.on("end", () =>
            finish({ kind: "response", status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", (error) => finish(networkOutcome(error)));
        },
      );
      const timer = setTimeout(() => {
        finish({ kind: "network", code: "timeout", detail: `no complete answer within ${options.timeoutMs} ms` });
        request.destroy();
      }, options.timeoutMs);
      request.on("error", (error) => finish(networkOutcome(error)));
      request.end(payload);
    });
  }

  return {
    get: (url) => exchange(url, "GET"),
    post: (url, body) => exchange(url, "POST", JSON.stringify(body)),
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

function networkOutcome(error: Error): HttpOutcome {
  const code = (error as NodeJS.ErrnoException).code;
  return { kind: "network", code: typeof code === "string" && code !== "" ? code : "network-error", detail: error.message };
}

/** The start of a non-JSON answer (an HTML error page, a proxy's message) for an error text. */
export function snippet(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
