import pc from "picocolors";
import { PLAIN_STYLE, type TextStyle } from "@patron/dsl";

/** Colours on a terminal (picocolors honours NO_COLOR and FORCE_COLOR); plain text otherwise. */
export function textStyle(stream: NodeJS.WriteStream): TextStyle {
  if (!stream.isTTY || !pc.isColorSupported) return PLAIN_STYLE;
  return {
    error: (s) => pc.bold(pc.red(s)),
    warning: (s) => pc.bold(pc.yellow(s)),
    location: (s) => pc.bold(s),
    gutter: (s) => pc.blue(s),
    help: (s) => pc.cyan(s),
  };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
