import type { Diagnostic, SourceFile } from "@patron/dsl";
import type { YAMLError } from "yaml";

/** YAML syntax problems as E402 diagnostics, in words for someone who edits YAML by hand. */
export function yamlDiagnostics(
  source: SourceFile,
  displayFile: string,
  errors: readonly YAMLError[],
  severity: "error" | "warning",
): Diagnostic[] {
  return errors.map((error) => {
    const [start, end] = rangeOf(source.text, error);
    const { message, help } = explain(error, source.text.slice(start, end));
    return { severity, code: "E402", file: displayFile, span: source.span(start, end), message, ...(help === undefined ? {} : { help }) };
  });
}

function explain(error: YAMLError, text: string): { message: string; help?: string } {
  const close = unclosedBracket(error);
  if (close !== undefined) {
    return {
      message: `${close === "]" ? "list" : "mapping"} not closed with "${close}"`,
      help: `close it with ${close}; when it goes on over several lines, indent them further than its key`,
    };
  }
  switch (error.code) {
    case "DUPLICATE_KEY":
      return { message: `key ${text.startsWith('"') ? text : `"${text}"`} appears twice in the same mapping`, help: "keep one of them" };
    case "TAB_AS_INDENT":
      return { message: "tab used for indentation", help: "YAML indents with spaces only" };
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return {
        message: "unexpected key: value inside a value",
        help: 'put a value that contains ": " in quotes, or start nested keys on a new, further indented line',
      };
    case "BAD_INDENT":
      return { message: plain(error.message), help: "entries of one mapping or list start at the same column" };
    default:
      return { message: plain(error.message) };
  }
}

/**
 * Where to point. yaml marks only the first character of a duplicate key, and an unclosed [ or {
 * where it noticed, on a later line: point at the whole key and at the bracket instead.
 */
function rangeOf(text: string, error: YAMLError): readonly [number, number] {
  const [start] = error.pos;
  if (error.code === "DUPLICATE_KEY") {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*[^:\s])/.exec(text.slice(start))?.[0] ?? "";
    return [start, start + Math.max(1, key.length)];
  }
  const close = unclosedBracket(error);
  const open = close === undefined ? -1 : text.lastIndexOf(close === "]" ? "[" : "{", start);
  return open === -1 ? error.pos : [open, open + 1];
}

/** yaml: "Flow sequence in block collection must be sufficiently indented and end with a ]". */
function unclosedBracket(error: YAMLError): "]" | "}" | undefined {
  const close = /^Flow (?:sequence|mapping) .* end with an? ([\]}])$/.exec(error.message)?.[1];
  return close === "]" || close === "}" ? close : undefined;
}

/** yaml's messages are sentences ("Missing closing \"quote."); diagnostics are lower-case phrases. */
function plain(message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  const phrase = firstLine.replace(/\.$/, "");
  return phrase.charAt(0).toLowerCase() + phrase.slice(1);
}
