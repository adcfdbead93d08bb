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
  /**
   * Where the record's text starts and ends (after its line end), in characters from the start
   * of all the text pushed (a tokenizer made with `positions` only). Tokenizing that text again
   * gives the same fields.
   */
  readonly start?: number;
  readonly end?: number;
}

export const MAX_RECORD_CHARS = 1 << 20;
const CHUNK_BYTES = 1 << 20;
const PIECE_BYTES = 1 << 13;

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

  /** Characters pushed so far. */
  private pushed = 0;

  /** `positions`: each record says where its text is (CsvRecord.start and end). */
  constructor(private readonly positions = false) {}

  /** The text pushed but not yet made into records (the start of a record that goes on)… */
  get pendingText(): string {
    return this.tail;
  }

  /** …and where it starts, in characters from the start of all the text pushed. */
  get pendingStart(): number {
    return this.pushed - this.tail.length;
  }

  /** Parses `text` appended to the kept tail; `final` when no more text will come. */
  push(text: string, final: boolean, out: (record: CsvRecord) => void): void {
    const buf = this.tail.length === 0 ? text : this.tail + text;
    const n = buf.length;
    const at = this.pushed - this.tail.length; // where buf starts in all the text pushed
    this.pushed += text.length;
    let pos = 0;
    // The next quote and CR at or after pos, looked up again only once passed.
    let quote = buf.indexOf('"');
    let cr = buf.indexOf("\r");
    while (pos < n) {
      // Fast path: a record with no quote and no lone CR, ended by LF or CRLF, is cut at its
      // commas with indexOf (most files have no quotes at all).
      const lf = buf.indexOf("\n", pos);
      if (lf !== -1) {
        if (quote !== -1 && quote < pos) quote = buf.indexOf('"', pos);
        if (cr !== -1 && cr < pos) cr = buf.indexOf("\r", pos);
        if ((quote === -1 || quote > lf) && (cr === -1 || cr >= lf - 1)) {
          const end = cr === lf - 1 ? cr : lf;
          const fields: string[] = [];
          let i = pos;
          for (;;) {
            const comma = buf.indexOf(",", i);
            if (comma === -1 || comma >= end) {
              fields.push(buf.slice(i, end));
              break;
            }
            fields.push(buf.slice(i, comma));
            i = comma + 1;
          }
          const line = this.line++;
          const start = pos;
          pos = lf + 1;
          if (isBlank(fields)) this.blankLines++;
          else out(this.positions ? { fields, line, endLine: line, start: at + start, end: at + pos } : { fields, line, endLine: line });
          continue;
        }
      }
      const next = this.record(buf, at, pos, final, out);
      if (next === -1) break;
      pos = next;
    }
    this.tail = pos < n && !final ? buf.slice(pos) : "";
  }

  /**
   * One record of any shape (quoted fields, lone CRs, the end of the text) starting at `pos` (buf
   * starts at `at` in all the text pushed):
   * emits it (or counts a blank line) and returns where the next one starts, or -1 when the
   * record may go on in text not seen yet.
   */
  private record(buf: string, at: number, pos: number, final: boolean, out: (record: CsvRecord) => void): number {
    const n = buf.length;
    const startLine = this.line;
    let line = startLine;
    const fields: string[] = [];
    let malformed: string | undefined;
    let i = pos;
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
          if (!final) return this.incomplete(n - pos, startLine);
          // Unclosed quote at the end of the file: the rest is one malformed record.
          const rest = buf.slice(open + 1);
          line += countLineBreaks(rest);
          fields.push(rest);
          malformed = `a quoted field opened on line ${startLine + countLineBreaks(buf.slice(pos, open))} is never closed (lines ${startLine}–${line} were read as one row)`;
          i = n;
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
        if (!final) return this.incomplete(n - pos, startLine);
        break;
      }
      const c = buf.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= n && !final) return this.incomplete(n - pos, startLine); // a CR at the end of a chunk may be half of CRLF
        i += i + 1 < n && buf.charCodeAt(i + 1) === LF ? 2 : 1;
      } else {
        i += 1; // LF
      }
      break;
    }
    this.line = line + 1;
    if (isBlank(fields)) this.blankLines++;
    else {
      const where = this.positions ? { start: at + pos, end: at + i } : {};
      out(
        malformed === undefined
          ? { fields, line: startLine, endLine: line, ...where }
          : { fields, line: startLine, endLine: line, malformed, ...where },
      );
    }
    return i;
  }

  /** -1 (wait for more text), unless the record is already too long to be a real row. */
  private incomplete(length: number, startLine: number): number {
    if (length > MAX_RECORD_CHARS) {
      throw new ImportError(
        "record-too-long",
        `line ${startLine}: a row longer than ${MAX_RECORD_CHARS} characters; a quoted field is probably never closed`,
        'look for a stray " on that line',
      );
    }
    return -1;
  }
}

function isBlank(fields: readonly string[]): boolean {
  const first = fields[0] as string;
  if (first.length > 0 && first.charCodeAt(0) > 32 && first.charCodeAt(0) < 127) return false; // most rows
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

/**
 * The file's text, as an async iterator: for each chunk of about 1 MiB read, its text decoded in
 * pieces of at most PIECE_BYTES bytes each, one at a time as `pieces` is iterated; the last chunk
 * (maybe empty) has `final`. Pieces, decoded on demand, because a string over about 128 KiB is
 * born in V8's old generation, and so is one that lives while many rows are read: a megabyte of
 * text per chunk kept the heap over 100 MB and the collector busy, where small pieces die young.
 * Bytes that are not UTF-8 throw an ImportError naming where, as the piece is decoded.
 */
export async function* readCsvText(file: string): AsyncGenerator<{ readonly pieces: Iterable<string>; readonly final: boolean }> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  const decode = (piece: Buffer | undefined): string => {
    try {
      return piece === undefined ? decoder.decode() : decoder.decode(piece, { stream: true });
    } catch {
      throw new ImportError(
        "not-utf8",
        `${file} is not UTF-8 text (bad bytes within ${bytes} bytes from the start)`,
        "save the file as UTF-8 (CSV UTF-8 in Excel) and import it again",
      );
    }
  };
  function* pieces(chunk: Buffer): Generator<string> {
    for (let at = 0; at < chunk.length; at += PIECE_BYTES) yield decode(chunk.subarray(at, Math.min(chunk.length, at + PIECE_BYTES)));
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield { pieces: pieces(chunk), final: false };
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportError("unreadable-file", `cannot read ${file}${code ? ` (${code})` : ""}`, (error as Error).message);
  } finally {
    stream.destroy();
  }
  yield { pieces: [decode(undefined)], final: true };
}

/** The file's records in batches (one batch per chunk read), as an async iterator. */
export async function* readCsvBatches(file: string, tokenizer: CsvTokenizer): AsyncGenerator<CsvRecord[]> {
  for await (const { pieces, final } of readCsvText(file)) {
    const batch: CsvRecord[] = [];
    for (const piece of pieces) tokenizer.push(piece, false, (r) => batch.push(r));
    if (final) tokenizer.push("", true, (r) => batch.push(r));
    if (batch.length > 0) yield batch;
  }
}
