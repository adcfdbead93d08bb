import { expect } from "vitest";
import { formatFile } from "../../src/format/index.js";
import { commentTexts, describeErrors, parseText, stripOffsets } from "./parse.js";

/**
 * Formats `text` (which must parse without errors) and checks what `patron fmt` promises:
 * the result parses to the same AST (offsets aside), holds the same comments, formats to itself,
 * and is laid out cleanly (one final newline, no trailing spaces, no runs of empty lines).
 * Returns the formatted text.
 */
export function expectFormatInvariants(text: string, path = "test.campaign"): string {
  const original = parseText(text, path);
  expect(describeErrors(original), "the input must parse without errors").toBe("");
  const once = formatFile(original);
  const reparsed = parseText(once, path);
  expect(describeErrors(reparsed), `the formatted text does not parse:\n${once}`).toBe("");
  expect(stripOffsets(reparsed.ast), `formatting changed the meaning:\n${once}`).toStrictEqual(stripOffsets(original.ast));
  expect(commentTexts(reparsed), `formatting lost or changed a comment:\n${once}`).toStrictEqual(commentTexts(original));
  expect(formatFile(reparsed), "formatting twice changed the text").toBe(once);
  expect(layoutProblems(once), once).toStrictEqual([]);
  return once;
}

/** What is wrong with the shape of a formatted text, if anything. */
export function layoutProblems(formatted: string): string[] {
  if (formatted === "") return [];
  const problems: string[] = [];
  if (!formatted.endsWith("\n") || formatted.endsWith("\n\n")) problems.push("does not end with exactly one newline");
  if (formatted.includes("\r")) problems.push("holds a carriage return");
  const lines = formatted.slice(0, -1).split("\n");
  if (lines[0] === "") problems.push("starts with an empty line");
  lines.forEach((line, i) => {
    // Spaces and tabs only: the lexer lets a bare word end in a Unicode space such as U+2003
    // (see the report on tokens.ts), and the formatter prints such a name as it was written.
    if (/[ \t]$/.test(line)) problems.push(`line ${i + 1} ends in white space`);
    if (line === "" && lines[i + 1] === "") problems.push(`line ${i + 1} starts a run of empty lines`);
  });
  return problems;
}
