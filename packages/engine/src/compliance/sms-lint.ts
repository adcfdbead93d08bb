import type { MessageConfig, Region } from "@patron/config";
import type { Diagnostic, Span } from "@patron/dsl";
import type { TemplateSite } from "../render/locate.js";
import { quoted, type Marker, type SmsRules } from "./sms-rules.js";
import type { StaticText, TextRun } from "./static-text.js";

/*
 * E701 and W701: the sign name on every SMS (region cn) and the opt-out text on marketing SMS,
 * looked for in the template's own text (static-text.ts). The sign name counts only at the very
 * start or end, where Chinese carriers look for it; at the end it may be followed by the opt-out
 * text (`…【丽美】回TD退订`). The opt-out text counts anywhere, outside {{#if}} blocks.
 */

export interface SmsTemplate {
  readonly message: MessageConfig;
  /** The template text (for a file, without the final line break, as it is sent). */
  readonly text: string;
  readonly site: TemplateSite;
  readonly statics: StaticText;
}

const SIGN_NAME_DOC = "docs/templates.md#sign-name-and-opt-out-text";

export function lintSms(template: SmsTemplate, rules: SmsRules, region: Region): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (rules.signature) {
    const problem = signatureProblem(template, rules.signature, rules.optOut);
    if (problem) out.push({ severity: "error", code: "E701", file: template.site.source.path, ...problem });
  }
  if (rules.optOut && template.message.purpose === "marketing") {
    const problem = optOutProblem(template, rules.optOut, region);
    if (problem) out.push({ severity: "warning", code: "W701", file: template.site.source.path, ...problem });
  }
  return out;
}

interface Problem {
  readonly span: Span;
  readonly message: string;
  readonly help: string;
}

function signatureProblem(t: SmsTemplate, signature: Marker, optOut: Marker | undefined): Problem | undefined {
  const { head, tail, always, conditional } = t.statics;
  const atStart = head !== undefined && signature.findAll(head.text).some(([start]) => head.text.slice(0, start).trim() === "");
  const atEnd = tail !== undefined && signature.findAll(tail.text).some(([, end]) => onlyOptOutAfter(tail.text.slice(end), optOut));
  if (atStart || atEnd) return undefined;

  const sms = `the SMS of message "${t.message.name}"`;
  const inMiddle = firstMatch(always, signature);
  if (inMiddle) {
    return {
      span: spanOf(t.site, inMiddle.start, inMiddle.end),
      message: `the sign name ${inMiddle.text} is in the middle of ${sms}`,
      help: `Chinese carriers look for the sign name only at the start or the end of an SMS: move ${inMiddle.text} to the start of the template`,
    };
  }
  const inBlock = firstMatch(conditional, signature);
  if (inBlock) {
    return {
      span: spanOf(t.site, inBlock.start, inBlock.end),
      message: `the sign name ${inBlock.text} is only inside ${inBlock.block}: members for whom it is false get ${sms} without it`,
      help: `write ${inBlock.text} outside the block, at the start of the template`,
    };
  }
  const rejects = "Chinese carriers reject an SMS without the sign name registered for the account";
  return {
    span: spanOf(t.site, 0, 0),
    message: signature.configured
      ? `${sms} does not carry the sign name ${signature.example} (channels.sms.signature)`
      : `${sms} does not start or end with a sign name in 【】`,
    help: signature.configured
      ? `${rejects}: start the template with ${signature.example} (Patron adds nothing to an SMS; ${SIGN_NAME_DOC})`
      : `${rejects}: start the template with it, e.g. ${signature.example}, and set channels.sms.signature in patron.yaml to have exactly that one checked (${SIGN_NAME_DOC})`,
  };
}

function optOutProblem(t: SmsTemplate, optOut: Marker, region: Region): Problem | undefined {
  if (firstMatch(t.statics.always, optOut)) return undefined;
  const sms = `the marketing SMS of message "${t.message.name}"`;
  const inBlock = firstMatch(t.statics.conditional, optOut);
  if (inBlock) {
    return {
      span: spanOf(t.site, inBlock.start, inBlock.end),
      message: `the opt-out text ${quoted(inBlock.text)} is only inside ${inBlock.block}: members for whom it is false get ${sms} without it`,
      help: `write ${quoted(inBlock.text)} outside the block, at the end of the template`,
    };
  }
  const end = t.text.length;
  return {
    span: spanOf(t.site, end, end),
    message: `${sms} does not carry ${optOut.name}${optOut.configured ? " (channels.sms.optOutText)" : ""}`,
    help: `${whyOptOut(region)}: end the template with ${quoted(optOut.example)}${
      optOut.configured ? "" : "; set channels.sms.optOutText in patron.yaml to have your exact wording checked"
    } (${SIGN_NAME_DOC})`,
  };
}

function whyOptOut(region: Region): string {
  switch (region) {
    case "cn":
      return "carriers in China require the opt-out text on marketing SMS";
    case "us":
      return "US carriers require opt-out instructions on marketing SMS";
    case "eu":
    case "other":
      return "channels.sms.optOutText in patron.yaml says marketing SMS carry it";
  }
}

/** True when `rest` holds nothing but spaces, punctuation and the opt-out text. */
function onlyOptOutAfter(rest: string, optOut: Marker | undefined): boolean {
  let left = rest;
  for (const [start, end] of [...(optOut?.findAll(rest) ?? [])].reverse()) left = left.slice(0, start) + left.slice(end);
  return /^[\s\p{P}]*$/u.test(left);
}

interface Match {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly block?: string;
}

function firstMatch(runs: readonly TextRun[], marker: Marker): Match | undefined {
  for (const run of runs) {
    const found = marker.findAll(run.text)[0];
    if (found) {
      const [start, end] = found;
      return { start: run.start + start, end: run.start + end, text: run.text.slice(start, end), ...(run.block && { block: run.block }) };
    }
  }
  return undefined;
}

/** A range of the template text in its site: the exact characters, or the template's key when they cannot be found. */
function spanOf(site: TemplateSite, start: number, end: number): Span {
  if (site.base === undefined) return site.source.span(site.range[0], site.range[1]);
  return site.source.span(site.base + start, site.base + end);
}
