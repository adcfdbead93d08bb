import type { ImportSummary, RejectCode } from "./types.js";

const REASON_NAMES: Readonly<Record<RejectCode, string>> = {
  "malformed-csv": "malformed CSV",
  "column-count": "wrong number of cells",
  "no-member-id": "no member id",
  "missing-value": "required value missing",
  "bad-date": "not a date",
  "bad-number": "not a number",
  "bad-boolean": "not a yes/no value",
  "bad-tier": "unknown tier",
  "bad-gender": "unknown gender",
  "bad-timezone": "unknown time zone",
  "bad-email": "not an email address",
  "bad-choice": "not an allowed value",
  "bad-value": "value out of place",
  "unknown-member": "unknown member",
  duplicate: "duplicate of an earlier row",
  conflict: "conflicts with an earlier row of the order line",
};

/** The summary as a person reads it (the CLI's text output). */
export function summaryText(s: ImportSummary): string {
  const n = (x: number): string => x.toLocaleString("en-US");
  const width = Math.max(...[s.read, s.inserted, s.updated, s.unchanged, s.merged, s.rejected].map((x) => n(x).length));
  const row = (label: string, x: number, note = ""): string => `  ${label.padEnd(10)}${n(x).padStart(width)}${note ? `  ${note}` : ""}`;
  const lines = [`${s.kind} from ${s.file} (${(s.elapsedMs / 1000).toFixed(1)} s, dates without an offset in ${s.timezone})`];
  lines.push(row("read", s.read, s.blankLines > 0 ? `(and ${n(s.blankLines)} blank line${s.blankLines === 1 ? "" : "s"})` : ""));
  lines.push(row("inserted", s.inserted), row("updated", s.updated), row("unchanged", s.unchanged));
  if (s.merged > 0) lines.push(row("merged", s.merged, "rows added into an earlier row with the same order_id and sku"));
  lines.push(row("rejected", s.rejected, s.rejectsFile ? `written to ${s.rejectsFile}` : ""));
  for (const [code, count] of Object.entries(s.rejectedByReason).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${n(count).padStart(width)}  ${REASON_NAMES[code as RejectCode] ?? code}`);
  }
  if (s.kind === "purchases") {
    lines.push(`  returns ${n(s.returns)} (negative quantity, stored with a negative amount); amount 0: ${n(s.zeroAmount)}`);
  }
  if (s.membersCreated > 0) lines.push(`  members created (id only): ${n(s.membersCreated)}`);
  if (s.undeclaredColumns.length > 0) lines.push(`  undeclared columns kept in extra: ${s.undeclaredColumns.join(", ")}`);
  if (s.ignoredColumns.length > 0) lines.push(`  columns not imported: ${s.ignoredColumns.join(", ")}`);
  if (s.rejects.length > 0) {
    lines.push(s.rejects.length < s.rejected ? `  first ${s.rejects.length} rejected rows:` : "  rejected rows:");
    for (const r of s.rejects) lines.push(`    line ${r.line}: ${r.reason}`);
  }
  return lines.join("\n");
}
