// The delivery benchmark's channel: a Channel (packages/channels/src/contract/channel.ts) whose
// send() POSTs the message as JSON to a local HTTP server, over a keep-alive agent with one
// socket per send in flight. It costs what a real provider's client costs on our side (encode,
// one request, parse the answer) and nothing more: the server answers at once.
import { Buffer } from "node:buffer";
import http from "node:http";

export class HttpBenchChannel {
  provider = "bench-http";
  idempotent = false;

  /** @param {{ name: "sms" | "email" | "wechat", url: string, concurrency: number, ratePerSecond?: number }} options */
  constructor({ name, url, concurrency, ratePerSecond }) {
    this.name = name;
    this.url = new URL(url);
    this.concurrency = concurrency;
    if (ratePerSecond !== undefined) this.ratePerSecond = ratePerSecond;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  send(message) {
    const body = JSON.stringify(message);
    return new Promise((resolve) => {
      const request = http.request(
        this.url,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => {
            if (response.statusCode === 200) resolve({ ok: true, providerId: JSON.parse(text).id });
            else resolve({ ok: false, kind: "temporary", code: String(response.statusCode), message: text });
          });
        },
      );
      request.on("error", (error) => resolve({ ok: false, kind: "temporary", code: "network", message: error.message }));
      request.end(body);
    });
  }

  async close() {
    this.agent.destroy();
  }
}
