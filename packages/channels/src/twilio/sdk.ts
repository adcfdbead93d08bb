import { createRequire } from "node:module";
import type Twilio from "twilio";

// The Twilio SDK is large (its generated API covers every Twilio product) and most commands never
// send an SMS: it is loaded on first use, not when the package is imported. In the CLI bundle it
// stays outside (a dependency of @patron/cli), so `patron check` does not parse it at all.
const load = createRequire(import.meta.url);
let sdk: typeof Twilio | undefined;

export function twilioSdk(): typeof Twilio {
  sdk ??= load("twilio") as typeof Twilio;
  return sdk;
}
