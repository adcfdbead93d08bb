import { check, parse, renderText, SourceFile, type CheckEnvironment, type CheckResult, type ParseResult } from "../../src/index.js";
import { TEST_ENV, TEST_SEGMENTS } from "./environment.js";

/** The shared segments file every check in the tests sees, as patron.yaml would name it. */
export const SEGMENTS_PATH = "segments.segments";

export interface Checked {
  readonly files: readonly ParseResult[];
  readonly result: CheckResult;
  /** Every diagnostic as a marketer sees it in the terminal, in file order, one blank line apart. */
  readonly text: string;
}

/**
 * Parses and checks campaign files together with the shared test segments, the way
 * `patron check` does, and renders what it reports.
 */
export function checkSources(sources: Record<string, string>, env: CheckEnvironment = TEST_ENV): Checked {
  const files = [
    parse(new SourceFile(SEGMENTS_PATH, TEST_SEGMENTS)),
    ...Object.entries(sources).map(([path, text]) => parse(new SourceFile(path, text))),
  ];
  const result = check({ files, env });
  const lookup = (path: string): SourceFile | undefined => files.find((f) => f.source.path === path)?.source;
  const text = result.diagnostics.map((d) => renderText(d, lookup)).join("\n\n");
  return { files, result, text };
}

/** One file, checked on its own (plus the shared segments). */
export function checkOne(text: string, path = "campaigns/test.campaign", env: CheckEnvironment = TEST_ENV): Checked {
  return checkSources({ [path]: text }, env);
}
