import type { FieldInfo } from "@patron/dsl";
import { monthDay } from "../time/local-dates.js";
import { RowReject } from "./cells.js";
import type { Cells } from "./cells.js";
import { CANONICAL_COLUMNS } from "./column-names.js";
import type { ColumnPlan, Source } from "./columns.js";
import { requiredSource } from "./handler.js";
import type { HandlerContext, KindHandler } from "./handler.js";
import { HeldRows } from "./held-rows.js";
import type { RowParser, SqlValue, ValueType } from "./rows.js";
import { STAGE } from "./stage.js";
import type { ImportConfig } from "./types.js";
import { choiceParser, parseBoolean, parseEmail, parseGender, parseTimezone } from "./values.js";

/*
 * Members, keyed by id.
 *
 * - A new id is inserted; a known id is updated only when a value differs (else unchanged).
 * - Only the columns the file has are written: a file of id,tier changes tiers and leaves
 *   phones alone. An empty cell in a column the file has clears the value (NULL). attributes
 *   and extra are merged the same way, key by key.
 * - Custom fields declared in patron.yaml are parsed by their type into `attributes` (numbers,
 *   booleans, YYYY-MM-DD dates, text; a text field with a closed list must be one of it). Other
 *   columns are kept as text in `extra`.
 * - birthday is a calendar date, stored with birth_md; joined_at is an instant.
 * - The same id twice in one file: the first row is imported, the later ones are rejected as
 *   duplicates naming the first line (a row rejected for a bad value does not claim its id).
 *   Into an empty table the primary key finds them, and the first line is the first row's rowid
 *   (bulk.ts); into a table with members, the stage remembers the file's ids and lines.
 * - referred_by is not checked against the members: the referrer may come later in the file,
 *   or in another file.
 */
export const MEMBER_STAGE = `CREATE TABLE ${STAGE}.members_seen (id TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;`;

type ColumnReader = (cells: Cells, source: Source) => SqlValue;

const bool = (cells: Cells, source: Source): SqlValue => {
  const b = cells.parsed(source, parseBoolean);
  return b === null ? null : b ? 1 : 0;
};
const text = (cells: Cells, source: Source): SqlValue => cells.text(source);

function columnReaders(config: ImportConfig): Readonly<Record<string, ColumnReader>> {
  const tier = choiceParser(config.tiers, "bad-tier", "a tier of patron.yaml");
  return {
    name: text,
    phone: text,
    email: (c, s) => c.parsed(s, parseEmail),
    wechat_openid: text,
    tier: (c, s) => c.parsed(s, tier),
    points: (c, s) => c.number(s),
    city: text,
    gender: (c, s) => c.parsed(s, parseGender),
    birthday: (c, s) => c.date(s),
    joined_at: (c, s) => c.instant(s),
    timezone: (c, s) => c.parsed(s, parseTimezone),
    consent_sms: bool,
    consent_email: bool,
    consent_wechat: bool,
    referred_by: text,
  };
}

type AttributeValue = string | number | boolean;

function fieldReader(field: FieldInfo, tiers: readonly string[]): (cells: Cells, source: Source) => AttributeValue | null {
  switch (field.type) {
    case "number":
      return (c, s) => c.number(s);
    case "boolean":
      return (c, s) => c.parsed(s, parseBoolean);
    case "date":
      return (c, s) => c.date(s);
    case "tier": {
      const p = choiceParser(tiers, "bad-tier", "a tier of patron.yaml");
      return (c, s) => c.parsed(s, p);
    }
    case "string": {
      if (field.values === undefined || field.values.length === 0) return (c, s) => c.text(s);
      const p = choiceParser(field.values, "bad-choice", `a ${field.name} of patron.yaml`);
      return (c, s) => c.parsed(s, p);
    }
  }
}

/** What a member's columns are on the way (columns.ts's canonical names but id). */
const COLUMN_TYPES: Readonly<Record<string, ValueType>> = {
  points: "number",
  joined_at: "number",
  consent_sms: "number",
  consent_email: "number",
  consent_wechat: "number",
  birth_md: "number",
};

/** The columns a members file writes: its canonical columns but id, birth_md beside a birthday, then the JSON ones. */
function memberColumns(plan: ColumnPlan): { present: string[]; dbColumns: string[]; jsonColumns: string[] } {
  const present = CANONICAL_COLUMNS.members.filter((c) => c !== "id" && plan.canonical.has(c));
  const dbColumns = present.includes("birthday") ? [...present, "birth_md"] : present;
  const jsonColumns = [...(plan.fields.length > 0 ? ["attributes"] : []), ...(plan.extra.length > 0 ? ["extra"] : [])];
  return { present, dbColumns, jsonColumns };
}

/**
 * Reads a row into its values: id, the dbColumns, then the custom fields (attributes) and the
 * undeclared columns (extra) as JSON objects without the empty ones.
 */
export function memberParser(plan: ColumnPlan, config: ImportConfig): RowParser {
  const idSource = requiredSource(plan, "id");
  const readers = columnReaders(config);
  const { present, dbColumns, jsonColumns } = memberColumns(plan);
  const sources = present.map((c) => plan.canonical.get(c) as Source);
  const columnReadersInOrder = present.map((c) => readers[c] as ColumnReader);
  const birthdayAt = present.indexOf("birthday");
  const fields = plan.fields.map((f) => ({ name: f.info.name, source: f.source, read: fieldReader(f.info, config.tiers) }));
  const extra = plan.extra;
  const types: ValueType[] = ["text", ...dbColumns.map((c) => COLUMN_TYPES[c] ?? "text"), ...jsonColumns.map((): ValueType => "text")];
  return {
    types,
    read(cells, out) {
      out[0] = cells.required(idSource, "no-member-id", "no member id");
      for (let i = 0; i < present.length; i++) out[1 + i] = (columnReadersInOrder[i] as ColumnReader)(cells, sources[i] as Source);
      if (birthdayAt !== -1) {
        const b = out[1 + birthdayAt];
        out[1 + present.length] = typeof b === "string" ? monthDay(b) : null;
      }
      let k = 1 + dbColumns.length;
      if (fields.length > 0) {
        const attributes: Record<string, AttributeValue> = {};
        for (const f of fields) {
          const v = f.read(cells, f.source);
          if (v !== null) attributes[f.name] = v;
        }
        out[k++] = JSON.stringify(attributes);
      }
      if (extra.length > 0) {
        const extras: Record<string, string> = {};
        for (const e of extra) {
          const v = (cells.fields[e.index] ?? "").trim();
          if (v !== "") extras[e.name] = v;
        }
        out[k++] = JSON.stringify(extras);
      }
    },
  };
}

export function membersHandler(ctx: HandlerContext): KindHandler {
  const { db, plan, counts } = ctx;
  const { dbColumns, jsonColumns } = memberColumns(plan);
  const allColumns = [...dbColumns, ...jsonColumns];
  const hasAttributes = plan.fields.length > 0;
  const hasExtra = plan.extra.length > 0;
  const fieldNames = plan.fields.map((f) => f.info.name);
  const extraNames = plan.extra.map((e) => e.name);

  if (ctx.freshTable) {
    // Into an empty table: rows held back and written many at a time, each with its line as
    // rowid, so a repeated id (ignored by the primary key) names the line of the first.
    const held = new HeldRows<number>(db, "members", ["id", ...allColumns]);
    const firstRow = db.prepare("SELECT rowid FROM main.members WHERE id = ?").pluck();
    return {
      row(line, v, at) {
        held.row(line, at);
        for (const value of v) held.put(value);
        if (held.full) this.flush();
      },
      flush() {
        if (held.size === 0) return;
        const written = held.write();
        counts.inserted += written.count;
        for (let i = 0; i < held.size && !written.all; i++) {
          const line = held.line(i);
          if (written.has(line)) continue;
          const id = held.value(i, 0) as string;
          ctx.reject(line, ctx.cellsAt(held.extra(i)), "duplicate", duplicateReason(id, firstRow.get(id) as number));
        }
        held.clear();
      },
      finish() {},
    };
  }

  const see = db.prepare(`INSERT OR IGNORE INTO ${STAGE}.members_seen (id, line) VALUES (?, ?)`);
  const firstLine = db.prepare(`SELECT line FROM ${STAGE}.members_seen WHERE id = ?`).pluck();
  const select = db.prepare(`SELECT ${["id", ...allColumns].join(", ")} FROM main.members WHERE id = ?`).raw();
  const insert = db.prepare(
    `INSERT INTO main.members (${["id", ...allColumns].join(", ")}) VALUES (${["id", ...allColumns].map(() => "?").join(", ")})`,
  );
  const update =
    allColumns.length === 0
      ? undefined
      : db.prepare(`UPDATE main.members SET ${allColumns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);

  // A consent withdrawn in the source system (1 in the database, 0 in the file) is an opt-out that
  // came by import: appended to the opt-out log with its source. Consent 0 already keeps messages
  // away; the log says when and where the member said no. Consent given again is not logged here:
  // only the member's own START lifts an opt-out (patron serve).
  const consentAt = ["sms", "email", "wechat"].map((channel) => ({ channel, index: allColumns.indexOf(`consent_${channel}`) }));
  const logOptOut = db.prepare(
    "INSERT INTO main.opt_outs (member_id, channel, action, source, detail, at) VALUES (?, ?, 'opt-out', 'import', ?, ?)",
  );
  const logWithdrawnConsent = (id: string, old: readonly SqlValue[], values: readonly SqlValue[], line: number): void => {
    for (const { channel, index } of consentAt) {
      if (index >= 0 && old[index + 1] === 1 && values[index] === 0)
        logOptOut.run(id, channel, `consent_${channel} withdrawn, line ${line}`, Date.now());
    }
  };

  return {
    row(line, v) {
      const id = v[0] as string;
      if (see.run(id, line).changes === 0) throw new RowReject("duplicate", duplicateReason(id, firstLine.get(id) as number));
      const old = select.get(id) as SqlValue[] | undefined;
      if (old === undefined) {
        insert.run(...v);
        counts.inserted++;
        return;
      }
      const values = v.slice(1, 1 + dbColumns.length);
      let at = 1 + dbColumns.length;
      const attributes = hasAttributes ? entries(v[at++] as string, fieldNames) : undefined;
      const extras = hasExtra ? entries(v[at++] as string, extraNames) : undefined;
      let changed = false;
      for (let i = 0; i < values.length; i++) if (old[i + 1] !== values[i]) changed = true;
      const json: string[] = [];
      let k = 1 + values.length;
      if (attributes !== undefined) {
        const merged = merge(old[k++], attributes);
        changed ||= merged.changed;
        json.push(merged.json);
      }
      if (extras !== undefined) {
        const merged = merge(old[k++], extras);
        changed ||= merged.changed;
        json.push(merged.json);
      }
      if (!changed || update === undefined) {
        counts.unchanged++;
        return;
      }
      update.run(...values, ...json, id);
      counts.updated++;
      logWithdrawnConsent(id, old, values, line);
    },
    flush() {},
    finish() {},
  };
}

function duplicateReason(id: string, firstLine: number): string {
  return `id ${JSON.stringify(id)} is also on line ${firstLine} (the first row of a member is imported)`;
}

/** A row's JSON object (without the empty ones) → every name the file has, null for an empty one. */
function entries(json: string, names: readonly string[]): Map<string, unknown> {
  const object = JSON.parse(json) as Record<string, unknown>;
  return new Map(names.map((name) => [name, Object.hasOwn(object, name) ? object[name] : null]));
}

/** The stored JSON object with the file's keys set (or removed when empty); changed when any differs. */
function merge<T>(stored: SqlValue | undefined, values: ReadonlyMap<string, T | null>): { json: string; changed: boolean } {
  let object: Record<string, unknown> = {};
  if (typeof stored === "string") {
    try {
      const parsed: unknown = JSON.parse(stored);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) object = parsed as Record<string, unknown>;
    } catch {
      // A corrupt value is replaced by the file's keys.
    }
  }
  let changed = false;
  for (const [k, v] of values) {
    const before = Object.hasOwn(object, k) ? object[k] : null;
    if (before === v) continue;
    changed = true;
    if (v === null) delete object[k];
    else object[k] = v;
  }
  return { json: JSON.stringify(object), changed };
}
