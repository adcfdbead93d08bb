import type { Choice } from "./cells.js";
import { CsvTokenizer } from "./csv-reader.js";
import type { SqlValue, ValueType } from "./rows.js";
import type { RejectCode } from "./types.js";

/*
 * Parsed rows (rows.ts) on their way from the reading side (a worker thread, see row-source.ts)
 * to the store, in batches (one per chunk of the file), built to cost the receiving thread little:
 * - numbers in one Float64Array, NaN for none (a parsed value is never NaN but for a product like
 *   Infinity × 0, which SQLite stores as NULL all the same);
 * - texts in one Int32Array of references (-1 for none). A value equal to the same column's
 *   value in the row before, or one of the first DICTIONARY_SIZE values of its column (brands,
 *   categories, skus: columns with few values), crosses once and is then referred to, so the
 *   receiver makes no string for it; any other is sent inline, all of a batch's in one string.
 *   Small dictionaries, one per column, because a large one cost the reading thread more (a
 *   cache miss or two per lookup) than the receiver saved;
 * - the text of the chunk the rows were read from, with where each row is in it: only a row the
 *   store rejects needs its cells again (for the rejects file), and they are read from it then.
 * Taking a structured clone of an array of rows instead cost the receiving thread about 1.2 s per
 * million purchases (a string and a heap number per value), which was most of what a second
 * thread saves.
 */

/** A row the reading side rejected, in file order among the batch's rows. */
export interface BatchReject {
  /** How many of the batch's rows come before it. */
  readonly before: number;
  readonly line: number;
  readonly code: RejectCode;
  /** Ends with choiceHelp(choice) when there is a choice (see RowReject). */
  readonly reason: string;
  readonly choice: Choice | undefined;
  readonly fields: readonly string[];
}

export interface RowBatch {
  readonly type: "rows";
  /** Rows parsed. */
  readonly count: number;
  readonly lines: Int32Array;
  readonly numbers: Float64Array;
  readonly texts: Int32Array;
  /** Per text column: the values added to its dictionary, in order. */
  readonly added: readonly (readonly string[])[];
  /** The values sent inline, one after the other, and where each ends. */
  readonly inline: string;
  readonly inlineEnds: Int32Array;
  /** The text the rows were read from, and where each row's text starts and ends in it. */
  readonly text: string;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly rejects: readonly BatchReject[];
}

/** Values each text column's dictionary holds: it is filled once, by the first values seen. */
const DICTIONARY_SIZE = 1024;
/**
 * Once a column's dictionary is full, lookups are counted in runs of this many: a column where
 * most miss (names, order ids) stops looking its values up, as a lookup that misses costs the
 * reading side more than slicing an inline value costs the receiver.
 */
const LOOKUP_RUN = 4096;
const FIRST_CAPACITY = 1024;
/** Text references: -1 none, 0 … DICTIONARY_SIZE - 1 a dictionary entry, then inline values. */
const NONE = -1;
const INLINE = DICTIONARY_SIZE;

/** The reading side: collects parsed rows into a batch. */
export class BatchWriter {
  private readonly numberAt: Int32Array; // value index → its slot among the numbers, or -1
  private readonly textAt: Int32Array; // value index → its slot among the texts, or -1
  private readonly numberWidth: number;
  private readonly textWidth: number;
  /** Per text column: its dictionary, or undefined once it stopped looking values up. */
  private readonly dictionaries: (Map<string, number> | undefined)[] = [];
  private readonly lookups: Int32Array;
  private readonly misses: Int32Array;
  /** Per text column: the value of the row before (in this batch) and its reference. */
  private readonly last: (string | null)[] = [];
  private readonly lastRef: Int32Array;
  private capacity = FIRST_CAPACITY;
  private count = 0;
  private lines = new Int32Array(FIRST_CAPACITY);
  private numbers: Float64Array;
  private texts: Int32Array;
  private starts = new Int32Array(FIRST_CAPACITY);
  private ends = new Int32Array(FIRST_CAPACITY);
  private added: string[][] = [];
  private inline: string[] = [];
  private inlineEnds = new Int32Array(FIRST_CAPACITY);
  private inlineLength = 0;
  private rejects: BatchReject[] = [];

  constructor(types: readonly ValueType[]) {
    this.numberAt = new Int32Array(types.length).fill(-1);
    this.textAt = new Int32Array(types.length).fill(-1);
    let n = 0;
    let t = 0;
    types.forEach((type, i) => {
      if (type === "number") this.numberAt[i] = n++;
      else this.textAt[i] = t++;
    });
    this.numberWidth = n;
    this.textWidth = t;
    this.numbers = new Float64Array(FIRST_CAPACITY * n);
    this.texts = new Int32Array(FIRST_CAPACITY * t);
    this.lastRef = new Int32Array(t);
    this.lookups = new Int32Array(t);
    this.misses = new Int32Array(t);
    for (let c = 0; c < t; c++) {
      this.dictionaries.push(new Map());
      this.last.push(null);
      this.added.push([]);
    }
  }

  /** Adds a parsed row: its line, values (in the parser's types), and where its text is in the batch's (take). */
  add(line: number, values: readonly SqlValue[], start: number, end: number): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.lines[i] = line;
    const n0 = i * this.numberWidth;
    const t0 = i * this.textWidth;
    for (let k = 0; k < values.length; k++) {
      const v = values[k] as SqlValue;
      const slot = this.numberAt[k] as number;
      if (slot >= 0) this.numbers[n0 + slot] = v === null ? NaN : (v as number);
      else {
        const c = this.textAt[k] as number;
        this.texts[t0 + c] = v === null ? NONE : this.reference(c, v as string);
      }
    }
    this.starts[i] = start;
    this.ends[i] = end;
  }

  reject(line: number, code: RejectCode, reason: string, fields: readonly string[], choice?: Choice): void {
    this.rejects.push({ before: this.count, line, code, reason, choice, fields });
  }

  /** The rows and rejects added since the last take, read from `text`; their buffers may be transferred. */
  take(text: string): RowBatch {
    const batch: RowBatch = {
      type: "rows",
      count: this.count,
      lines: this.lines,
      numbers: this.numbers,
      texts: this.texts,
      added: this.added,
      inline: this.inline.join(""),
      inlineEnds: this.inlineEnds.subarray(0, this.inline.length),
      text,
      starts: this.starts,
      ends: this.ends,
      rejects: this.rejects,
    };
    this.count = 0;
    this.lines = new Int32Array(this.capacity);
    this.numbers = new Float64Array(this.capacity * this.numberWidth);
    this.texts = new Int32Array(this.capacity * this.textWidth);
    this.starts = new Int32Array(this.capacity);
    this.ends = new Int32Array(this.capacity);
    this.added = this.added.map(() => []);
    this.inline = [];
    this.inlineEnds = new Int32Array(this.inlineEnds.length);
    this.inlineLength = 0;
    this.rejects = [];
    this.last.fill(null); // an inline reference holds within its batch only
    return batch;
  }

  private reference(column: number, text: string): number {
    if (text === this.last[column]) return this.lastRef[column] as number;
    const dictionary = this.dictionaries[column];
    let ref = dictionary?.get(text);
    if (ref === undefined) {
      if (dictionary !== undefined && dictionary.size < DICTIONARY_SIZE) {
        ref = dictionary.size;
        dictionary.set(text, ref);
        (this.added[column] as string[]).push(text);
      } else {
        const k = this.inline.length;
        if (k === this.inlineEnds.length) {
          const ends = new Int32Array(k * 2);
          ends.set(this.inlineEnds);
          this.inlineEnds = ends;
        }
        ref = INLINE + k;
        this.inline.push(text);
        this.inlineLength += text.length;
        this.inlineEnds[k] = this.inlineLength;
        if (dictionary !== undefined) this.counted(column, true);
      }
    } else if (dictionary !== undefined && dictionary.size === DICTIONARY_SIZE) this.counted(column, false);
    this.last[column] = text;
    this.lastRef[column] = ref;
    return ref;
  }

  /** Counts a lookup in a full dictionary; a run of mostly misses ends the lookups. */
  private counted(column: number, missed: boolean): void {
    const lookups = (this.lookups[column] as number) + 1;
    const misses = (this.misses[column] as number) + (missed ? 1 : 0);
    this.lookups[column] = lookups;
    this.misses[column] = misses;
    if (lookups < LOOKUP_RUN) return;
    if (misses * 2 > lookups) this.dictionaries[column] = undefined;
    this.lookups[column] = 0;
    this.misses[column] = 0;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const lines = new Int32Array(capacity);
    lines.set(this.lines);
    const numbers = new Float64Array(capacity * this.numberWidth);
    numbers.set(this.numbers);
    const texts = new Int32Array(capacity * this.textWidth);
    texts.set(this.texts);
    const starts = new Int32Array(capacity);
    starts.set(this.starts);
    const ends = new Int32Array(capacity);
    ends.set(this.ends);
    this.lines = lines;
    this.numbers = numbers;
    this.texts = texts;
    this.starts = starts;
    this.ends = ends;
    this.capacity = capacity;
  }
}

/** The transferable buffers of a batch (postMessage's transfer list). */
export function batchBuffers(batch: RowBatch): ArrayBuffer[] {
  return [
    batch.lines.buffer,
    batch.numbers.buffer,
    batch.texts.buffer,
    batch.starts.buffer,
    batch.ends.buffer,
    batch.inlineEnds.buffer,
  ] as ArrayBuffer[];
}

/** The store's side: reads the rows of the batch last loaded. */
export class BatchReader {
  /** Per value: the slot among the numbers (≥ 0) or among the texts (-1 - slot). */
  private readonly slots: Int32Array;
  private readonly numberWidth: number;
  private readonly textWidth: number;
  private readonly dictionaries: string[][] = [];
  /** Per text column: the inline value read last, and its reference (in this batch). */
  private readonly lastInline: string[] = [];
  private readonly lastInlineRef: Int32Array;
  private batch: RowBatch | undefined;

  constructor(types: readonly ValueType[]) {
    this.slots = new Int32Array(types.length);
    let n = 0;
    let t = 0;
    types.forEach((type, i) => {
      this.slots[i] = type === "number" ? n++ : -1 - t++;
    });
    this.numberWidth = n;
    this.textWidth = t;
    this.lastInlineRef = new Int32Array(t).fill(NONE);
    for (let c = 0; c < t; c++) {
      this.dictionaries.push([]);
      this.lastInline.push("");
    }
  }

  /** Makes `batch` the one read (batches must be loaded in the order they were taken). */
  load(batch: RowBatch): void {
    this.dictionaries.forEach((dictionary, c) => {
      for (const s of batch.added[c] as string[]) dictionary.push(s);
    });
    this.lastInlineRef.fill(NONE);
    this.batch = batch;
  }

  /** Row i's values into `out`. */
  read(i: number, out: SqlValue[]): void {
    const { numbers, texts, inline, inlineEnds } = this.batch as RowBatch;
    const slots = this.slots;
    const n0 = i * this.numberWidth;
    const t0 = i * this.textWidth;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k] as number;
      if (slot >= 0) {
        const x = numbers[n0 + slot] as number;
        out[k] = x === x ? x : null; // NaN: none
      } else {
        const c = -1 - slot;
        const ref = texts[t0 + c] as number;
        if (ref < INLINE) out[k] = ref === NONE ? null : ((this.dictionaries[c] as string[])[ref] as string);
        else if (ref === this.lastInlineRef[c]) out[k] = this.lastInline[c] as string;
        else {
          // Sliced as it is read (a string that dies young), but once for rows repeating it.
          const j = ref - INLINE;
          const s = inline.slice(j === 0 ? 0 : inlineEnds[j - 1], inlineEnds[j]);
          this.lastInline[c] = s;
          this.lastInlineRef[c] = ref;
          out[k] = s;
        }
      }
    }
  }

  /** Row i's cells as the file has them (for the rejects file). */
  cells(i: number): string[] {
    const { text, starts, ends } = this.batch as RowBatch;
    const row = text.slice(starts[i], ends[i]);
    let fields: string[] = [];
    new CsvTokenizer().push(row, true, (record) => {
      fields = record.fields;
    });
    return fields;
  }
}
