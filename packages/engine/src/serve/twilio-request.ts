import { createRequire } from "node:module";
import type Twilio from "twilio";

// The Twilio SDK is large and only `patron serve` needs it here: loaded on first use.
const load = createRequire(import.meta.url);
let sdk: typeof Twilio | undefined;
function twilio(): typeof Twilio {
  sdk ??= load("twilio") as typeof Twilio;
  return sdk;
}

/** A Twilio webhook as `patron serve` received it, its form body parsed. */
export interface TwilioWebhook {
  /** The URL Twilio called, as Twilio saw it (the public address, with any query string): what it signed. */
  readonly url: string;
  /** The X-Twilio-Signature header; undefined when the request has none. */
  readonly signature: string | undefined;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Why the request is not Twilio's, or undefined when its X-Twilio-Signature (HMAC-SHA1 of the
 * URL and the sorted POST parameters under the account's auth token) is right. Checked with the
 * twilio SDK's own validateRequest, which also tries the URL with and without its port.
 */
export function twilioSignatureProblem(request: TwilioWebhook, authToken: string): string | undefined {
  if (request.signature === undefined || request.signature === "") return "no X-Twilio-Signature header";
  let valid: boolean;
  try {
    valid = twilio().validateRequest(authToken, request.signature, request.url, request.params);
  } catch {
    valid = false; // a URL the SDK cannot parse signs nothing
  }
  return valid ? undefined : "X-Twilio-Signature does not match";
}

/** The empty TwiML answer: Twilio sends no reply of its own. */
export function emptyTwiml(): string {
  return new (twilio().twiml.MessagingResponse)().toString();
}
