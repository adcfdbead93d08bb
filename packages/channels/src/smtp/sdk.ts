import { createRequire } from "node:module";
import type Nodemailer from "nodemailer";
import type AddressParser from "nodemailer/lib/addressparser";

// nodemailer is loaded on first use, like the Twilio SDK (see ../twilio/sdk.ts): most commands
// never send an email.
const load = createRequire(import.meta.url);
let mailer: typeof Nodemailer | undefined;
let parser: typeof AddressParser | undefined;

export function nodemailer(): typeof Nodemailer {
  mailer ??= load("nodemailer") as typeof Nodemailer;
  return mailer;
}

export function addressparser(): typeof AddressParser {
  parser ??= load("nodemailer/lib/addressparser") as typeof AddressParser;
  return parser;
}
