import { createReadStream } from "node:fs";
import { ImportError } from "./types.js";

/*
 * A streaming RFC 4180 reader, written here rather than taken from csv-parse for two measured
 * reasons: csv-parse with `info: true` (the only way to learn a record's line) reads about 60k
 * rows/s on this machine, a third of the import target on its own; and it counts a CRLF inside a
 * quoted field as two lines, so every line number after such a field would be off by one.
 * The test suite holds this reader to csv-parse's field values on random input.
 *
 * What it accepts:
 * - UTF-8 with or without a BOM (the BOM is dropped); bytes that are not UTF-8 stop the import
 *   with an error naming the byte offset, rather than turning names into "�".
 * - Records end at CRLF, LF or a lone CR; each of these ends one line for line numbers.
 * - A field starting with `"` is quoted: it runs to the next lone `"`, `""` stands for one `"`,
 *   and it may hold commas and line breaks. A `"` inside an unquoted field is kept as text.
 * - Text between a closing quote and the next comma or line end makes the record malformed
 *   (reported, never guessed at). A quote still open at the end of the file makes the rest of
 *   the file one malformed record, reported with the lines it spans.
 * - A line that is empty, or holds only commas and blanks, is not a row: it is counted as blank.
 *
 * Memory: the reader holds one chunk (1 MiB) plus the record in progress. A record longer than
 * MAX_RECORD_CHARS (almost always an unclosed quote) stops the import with an error.
 */

export interface CsvRecord {
  readonly fields: string[];
  /** The line (1-based) on which the record starts. */
  readonly line: number;
  /** The line on which it ends (differs when a quoted field spans lines). */
  readonly endLine: number;
  /** Set when the record is not well-formed CSV; the fields are then a best effort. */
  readonly malformed?: string;
}

export const MAX_RECORD_CHARS = 1 << 20;
const CHUNK_BYTES = 1 << 20;

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Splits text into records; keeps the unfinished tail until more text (or the end) arrives. */
export class CsvTokenizer {
  private tail = "";
  private line = 1;
  /** Blank lines seen (empty, or only commas and blanks). */
  blankLines = 0;

  /** Parses `text` appended to the kept tail; `final` when no more text will come. */
  push(text: string, final: boolean, out: (record: CsvRecord) => void): void {
    const buf = this.tail.length === 0 ? text : this.tail + text;
    const n = buf.length;
    let pos = 0;
    while (pos < n) {
      const startLine = this.line;
      let line = startLine;
      const fields: string[] = [];
      let malformed: string | undefined;
      let i = pos;
      let complete = false;
      for (;;) {
        // One field starting at i.
        if (i < n && buf.charCodeAt(i) === QUOTE) {
          const open = i;
          let value = "";
          let from = i + 1;
          let closed = -1;
          for (;;) {
            const q = buf.indexOf('"', from);
            if (q === -1) break;
            if (q + 1 < n && buf.charCodeAt(q + 1) === QUOTE) {
              value += buf.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            if (q + 1 === n && !final) break; // the next chunk may start with a second quote
            value += buf.slice(from, q);
            closed = q;
            break;
          }
          if (closed === -1) {
            if (!final) break; // wait for more text
            // Unclosed quote at the end of the file: the rest is one malformed record.
            const rest = buf.slice(open + 1);
            line += countLineBreaks(rest);
            fields.push(rest);
            malformed = `a quoted field opened on line ${startLine + countLineBreaks(buf.slice(pos, open))} is never closed (lines ${startLine}–${line} were read as one row)`;
            i = n;
            complete = true;
            break;
          }
          line += countLineBreaks(buf, open + 1, closed);
          i = closed + 1;
          // Text after the closing quote, up to the field's end, makes the record malformed.
          let j = i;
          while (j < n) {
            const c = buf.charCodeAt(j);
            if (c === COMMA || c === CR || c === LF) break;
            j++;
          }
          if (j > i) {
            malformed ??= `unexpected text ${JSON.stringify(buf.slice(i, Math.min(j, i + 20)))} after the closing quote of field ${fields.length + 1}`;
            value += buf.slice(i, j);
            i = j;
          }
          fields.push(value);
        } else {
          let j = i;
          while (j < n) {
            const c = buf.charCodeAt(j);
            if (c === COMMA || c === CR || c === LF) break;
            j++;
          }
          fields.push(buf.slice(i, j));
          i = j;
        }
        // After a field: a comma, a record end, or the end of the text.
        if (i >= n) {
          if (final) complete = true;
          break;
        }
        const c = buf.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) break; // a CR at the end of a chunk may be half of CRLF
          i += i + 1 < n && buf.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i += 1; // LF
        }
        complete = true;
        break;
      }
      if (!complete) {
        if (n - pos > MAX_RECORD_CHARS) {
          throw new ImportError(
            "record-too-long",
            `line ${startLine}: a row longer than ${MAX_RECORD_CHARS} characters; a quoted field is probably never closed`,
            'look for a stray " on that line',
          );
        }
        break;
      }
      this.line = line + 1;
      pos = i;
      if (isBlank(fields)) {
        this.blankLines++;
        continue;
      }
      out(malformed === undefined ? { fields, line: startLine, endLine: line } : { fields, line: startLine, endLine: line, malformed });
    }
    this.tail = pos < n ? buf.slice(pos) : "";
    if (final) this.tail = "";
  }
}

function isBlank(fields: readonly string[]): boolean {
  for (const f of fields) if (f.length > 0 && f.trim().length > 0) return false;
  return true;
}

/** Line breaks (CRLF, LF or lone CR, each one) in text[from, to). */
function countLineBreaks(text: string, from = 0, to = text.length): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR) {
      count++;
      if (k + 1 < to && text.charCodeAt(k + 1) === LF) k++;
    }
  }
  return count;
}

/** The file's records in batches (one batch per chunk read), as an async iterator. */
export async function* readCsvBatches(file: string, tokenizer: CsvTokenizer): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  const decode = (chunk: Buffer | undefined): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw new ImportError(
        "not-utf8",
        `${file} is not UTF-8 text (bad bytes within ${bytes} bytes from the start)`,
        "save the file as UTF-8 (CSV UTF-8 in Excel) and import it again",
      );
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const batch: CsvRecord[] = [];
      tokenizer.push(decode(chunk), false, (r) => batch.push(r));
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportError("unreadable-file", `cannot read ${file}${code ? ` (${code})` : ""}`, (error as Error).message);
  } finally {
    stream.destroy();
  }
  const batch: CsvRecord[] = [];
  tokenizer.push(decode(undefined), true, (r) => batch.push(r));
  if (batch.length > 0) yield batch;
}
