import type { CampaignItemNode, ConditionNode, Range, RuleNode, SegmentDeclNode } from "../ast/nodes.js";
import { walkCondition } from "../ast/walk.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ParseResult } from "../parser/parse.js";
import { checkActions } from "./actions.js";
import { checkCondition } from "./conditions.js";
import type { CheckEnvironment } from "./environment.js";
import { checkActive, checkGoalShape, checkHoldout, checkLimit, checkPriority, checkSchedule } from "./options.js";
import type { CampaignDefinition, CheckResult, SegmentDefinition } from "./program.js";
import { Reporter } from "./reporter.js";

export interface CheckInput {
  /** Every parsed file: campaign files and the segment files named in patron.yaml alike. */
  readonly files: readonly ParseResult[];
  readonly env: CheckEnvironment;
}

/**
 * Checks a whole program at once: segments are shared by every file and campaign ids must be
 * unique across files. Returns every diagnostic (the parser's included) in file order, and the
 * campaigns that have no error, ready for the engine.
 */
export function check(input: CheckInput): CheckResult {
  const diagnostics: Diagnostic[] = input.files.flatMap((f) => f.diagnostics);
  const fromParser = diagnostics.length;
  const segments = collectSegments(input.files, diagnostics);
  const campaigns: { def: CampaignDefinition; group: CampaignGroup }[] = [];

  for (const def of segments.values()) {
    const report = new Reporter(def.source, diagnostics);
    checkCondition(def.node.condition, { env: input.env, segments, report });
  }
  checkSegmentCycles(segments, diagnostics);

  const seenIds = new Map<string, { file: string; line: number }>();
  for (const file of input.files) {
    const report = new Reporter(file.source, diagnostics);
    for (const group of campaignGroups(file)) {
      const first = seenIds.get(group.id);
      if (first) {
        report.error(
          "E210",
          group.nameRange,
          `a campaign named "${group.id}" already exists (${first.file}:${first.line})`,
          group.fromFileName
            ? 'this campaign has no campaign "NAME" { … } block, so it is named after its file: rename the file (reports and the outbox are keyed by the name)'
            : "give each campaign its own name: reports and the outbox are keyed by it",
        );
      } else {
        seenIds.set(group.id, { file: file.source.path, line: file.source.position(group.nameRange.start).line });
      }
      const def = checkCampaign(group, file, input.env, segments, report);
      if (def) campaigns.push({ def, group });
    }
  }

  const sorted = sortDiagnostics(withoutEchoes(diagnostics, fromParser));
  const broken = brokenSegments(segments, (file, range) =>
    sorted.some((d) => d.severity === "error" && d.file === file && d.span.start.offset >= range.start && d.span.start.offset <= range.end),
  );
  const usesBroken = (c: CampaignDefinition): boolean =>
    [c.rule.condition, ...(c.goal ? [c.goal] : [])].some((cond) => segmentRefs(cond).some((name) => broken.has(name)));
  const valid = campaigns
    .filter(
      ({ def, group }) => !sorted.some((d) => d.severity === "error" && d.file === def.source.path && group.owns(d.span.start.offset)),
    )
    .filter(({ def }) => !usesBroken(def))
    .map(({ def }) => def);
  return { campaigns: valid, segments, diagnostics: sorted };
}

function segmentRefs(condition: ConditionNode): string[] {
  const out: string[] = [];
  walkCondition(condition, (n) => {
    if (n.kind === "InSegment") out.push(n.segment.value);
  });
  return out;
}

/**
 * Segments a campaign must not run with: those with an error in their definition (a cycle
 * included), and, transitively, those that use one. A campaign using one is not ready either.
 */
function brokenSegments(
  segments: ReadonlyMap<string, SegmentDefinition>,
  hasErrorIn: (file: string, range: Range) => boolean,
): Set<string> {
  const broken = new Set<string>();
  for (const def of segments.values()) if (hasErrorIn(def.source.path, def.node)) broken.add(def.name);
  for (let changed = true; changed;) {
    changed = false;
    for (const def of segments.values()) {
      if (broken.has(def.name)) continue;
      if (segmentRefs(def.node.condition).some((name) => broken.has(name) || !segments.has(name))) {
        broken.add(def.name);
        changed = true;
      }
    }
  }
  return broken;
}

/**
 * An unclosed string runs to the end of its line, so the words after the opening quote become
 * part of a name (`send message "birthday via sms` names a message "birthday via sms" and has no
 * channel). The lexer's "no closing quote" is the one mistake; what the checker concludes from
 * the swallowed words is left out.
 */
function withoutEchoes(diagnostics: readonly Diagnostic[], fromParser: number): Diagnostic[] {
  const unclosed = diagnostics.slice(0, fromParser).filter((d) => d.code === "E002");
  if (unclosed.length === 0) return [...diagnostics];
  return diagnostics.filter(
    (d, i) =>
      i < fromParser ||
      !unclosed.some((u) => u.file === d.file && d.span.start.offset < u.span.end.offset && u.span.start.offset < d.span.end.offset),
  );
}

interface CampaignGroup {
  readonly id: string;
  readonly items: readonly CampaignItemNode[];
  readonly range: Range;
  /** Where to point when the campaign as a whole is wrong. */
  readonly nameRange: Range;
  /** The loose sentence of a one-line file: its id is the file name. */
  readonly fromFileName: boolean;
  /**
   * Whether a problem at this offset belongs to the campaign: inside its block, or for the
   * loose campaign of a one-line file, anywhere outside blocks and segments (a sentence the
   * parser gave up on still belongs to it).
   */
  readonly owns: (offset: number) => boolean;
}

/** Blocks are campaigns; the loose options and sentence of a one-line file form one more, named after the file. */
function campaignGroups(file: ParseResult): CampaignGroup[] {
  const groups: CampaignGroup[] = [];
  const loose: CampaignItemNode[] = [];
  const enclosed: Range[] = [];
  const within = (r: Range, offset: number): boolean => offset >= r.start && offset <= r.end;
  for (const item of file.ast.items) {
    if (item.kind === "Campaign") {
      groups.push({
        id: item.name.value,
        items: item.items,
        range: item,
        nameRange: item.name,
        fromFileName: false,
        owns: (o) => within(item, o),
      });
      enclosed.push(item);
    } else if (item.kind === "Segment") {
      enclosed.push(item);
    } else {
      loose.push(item);
    }
  }
  const first = loose[0];
  const last = loose[loose.length - 1];
  if (first && last) {
    groups.push({
      id: fileStem(file.source.path),
      items: loose,
      range: { start: first.start, end: last.end },
      nameRange: first.kind === "Rule" ? { start: first.start, end: first.start + 4 } : first,
      fromFileName: true,
      owns: (o) => !enclosed.some((r) => within(r, o)),
    });
  }
  return groups.sort((a, b) => a.range.start - b.range.start);
}

function fileStem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.[^.]*$/, "");
}

function checkCampaign(
  group: CampaignGroup,
  file: ParseResult,
  env: CheckEnvironment,
  segments: ReadonlyMap<string, SegmentDefinition>,
  report: Reporter,
): CampaignDefinition | undefined {
  const seen = new Map<string, CampaignItemNode>();
  let rule: RuleNode | undefined;
  const options: Partial<Record<CampaignItemNode["kind"], CampaignItemNode>> = {};
  for (const item of group.items) {
    if (item.kind === "Rule") {
      if (rule) {
        report.error(
          "E106",
          { start: item.start, end: item.start + 4 },
          `this campaign already has a when-sentence (line ${file.source.position(rule.start).line})`,
          'give each sentence a campaign of its own: a file of its own, or a campaign "NAME" { … } block; if both do the same, join their conditions with "or"',
        );
        continue;
      }
      rule = item;
      continue;
    }
    const earlier = seen.get(item.kind);
    if (earlier) {
      report.error(
        "E108",
        item,
        `${optionWord(item.kind)} is already set for this campaign (line ${file.source.position(earlier.start).line})`,
        "keep one of the two lines",
      );
      continue;
    }
    seen.set(item.kind, item);
    options[item.kind] = item;
  }

  // A problem the parser already reported in this campaign explains a missing sentence or
  // missing words better than the checker can: `when joined within 14 dayz, …` is one mistake,
  // not also "no when-sentence".
  const syntax = file.diagnostics.filter((d) => d.severity === "error" && group.owns(d.span.start.offset));
  const cutShort = (at: Range): boolean => {
    const text = file.source.text;
    let next = at.end;
    while (next < text.length && /\s/.test(text.charAt(next))) next++;
    return syntax.some((d) => d.span.start.offset === next);
  };

  const ctx = { env, segments, report };
  for (const item of seen.values()) {
    switch (item.kind) {
      case "Holdout":
        checkHoldout(item, report);
        break;
      case "Active":
        checkActive(item, report);
        break;
      case "Schedule":
        checkSchedule(item, report);
        break;
      case "Limit":
        checkLimit(item, report);
        break;
      case "Priority":
        checkPriority(item, report);
        break;
      case "Goal":
        checkGoalShape(item.condition, report, cutShort);
        checkCondition(item.condition, ctx);
        break;
      default:
        break;
    }
  }

  if (!rule) {
    if (syntax.length > 0) return undefined;
    report.error(
      "E107",
      group.nameRange,
      `campaign "${group.id}" does not say whom to send what: it has no when-sentence`,
      'add one, for example: when bought brand A within 30 days, send message "thanks" via sms',
    );
    return undefined;
  }
  checkCondition(rule.condition, ctx);
  checkActions(rule, env, report, cutShort);

  const description = options.Description?.kind === "Description" ? options.Description.text.value : undefined;
  const holdout = options.Holdout?.kind === "Holdout" ? options.Holdout.percent.value : 0;
  const priority = options.Priority?.kind === "Priority" ? options.Priority.value.value : 0;
  return {
    id: group.id,
    source: file.source,
    ...(description !== undefined ? { description } : {}),
    ...(options.Schedule?.kind === "Schedule" ? { schedule: options.Schedule } : {}),
    ...(options.Active?.kind === "Active" ? { active: options.Active } : {}),
    holdoutPercent: holdout,
    ...(options.Limit?.kind === "Limit" ? { limit: options.Limit } : {}),
    priority,
    ...(options.Goal?.kind === "Goal" ? { goal: options.Goal.condition } : {}),
    rule,
  };
}

function optionWord(kind: CampaignItemNode["kind"]): string {
  return kind === "Rule" ? "when" : kind.toLowerCase();
}

function collectSegments(files: readonly ParseResult[], diagnostics: Diagnostic[]): Map<string, SegmentDefinition> {
  const segments = new Map<string, SegmentDefinition>();
  for (const file of files) {
    const report = new Reporter(file.source, diagnostics);
    for (const item of file.ast.items) {
      if (item.kind !== "Segment") continue;
      const existing = segments.get(item.name.value);
      if (existing) {
        const line = existing.source.position(existing.node.start).line;
        report.error(
          "E211",
          item.name,
          `segment "${item.name.value}" is already defined (${existing.source.path}:${line})`,
          "define each segment once, in the shared segments file",
        );
        continue;
      }
      segments.set(item.name.value, { name: item.name.value, source: file.source, node: item });
    }
  }
  return segments;
}

/** A segment may use other segments, but never (through others) itself. */
function checkSegmentCycles(segments: ReadonlyMap<string, SegmentDefinition>, diagnostics: Diagnostic[]): void {
  const refs = (node: SegmentDeclNode): { name: string; at: Range }[] => {
    const out: { name: string; at: Range }[] = [];
    walkCondition(node.condition as ConditionNode, (n) => {
      if (n.kind === "InSegment") out.push({ name: n.segment.value, at: n.segment });
    });
    return out;
  };
  for (const def of segments.values()) {
    const path: string[] = [];
    const visit = (name: string): boolean => {
      if (name === def.name && path.length > 0) return true;
      if (path.includes(name)) return false;
      const target = segments.get(name);
      if (!target) return false;
      path.push(name);
      const found = refs(target.node).some((r) => visit(r.name));
      path.pop();
      return found;
    };
    for (const ref of refs(def.node)) {
      path.length = 0;
      path.push(def.name);
      if (visit(ref.name)) {
        new Reporter(def.source, diagnostics).error(
          "E212",
          ref.at,
          ref.name === def.name ? `segment "${def.name}" uses itself` : `segment "${def.name}" uses itself (through "${ref.name}")`,
          "a segment cannot be defined in terms of itself; write the condition out",
        );
        break;
      }
    }
  }
}
