import type { ActiveNode, ConditionNode, LimitNode, RuleNode, ScheduleNode, SegmentDeclNode } from "../ast/nodes.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source/source-file.js";

/**
 * A campaign as the checker hands it on to the engine: options resolved to values, defaults
 * filled in, the nodes kept for positions. Only campaigns without errors are handed on.
 */
export interface CampaignDefinition {
  /** The block's name, or for a file holding a bare sentence, the file name without extension. */
  readonly id: string;
  readonly source: SourceFile;
  readonly description?: string;
  readonly schedule?: ScheduleNode;
  readonly active?: ActiveNode;
  /** Percentage of members kept as the control group, 0 when not set. */
  readonly holdoutPercent: number;
  readonly limit?: LimitNode;
  /** Higher runs first when caps must choose; 0 when not set. */
  readonly priority: number;
  readonly goal?: ConditionNode;
  readonly rule: RuleNode;
}

export interface SegmentDefinition {
  readonly name: string;
  readonly source: SourceFile;
  readonly node: SegmentDeclNode;
}

export interface CheckResult {
  readonly campaigns: readonly CampaignDefinition[];
  readonly segments: ReadonlyMap<string, SegmentDefinition>;
  readonly diagnostics: readonly Diagnostic[];
}
