import type { BoughtNode, CampaignDefinition, ConditionNode, SpentNode } from "@patron/dsl";
import { walkCondition } from "@patron/dsl";
import { compileCondition, type AudienceContext, type CompiledSql, type SqlValue } from "../audience/sql/index.js";
import { shift } from "../time/windows.js";

/*
 * A campaign's goal measured for one run.
 *
 * The rule: each purchase test of the goal (`bought … within N units`, `spent … within N units`;
 * the checker allows nothing else, and requires the window) looks at the purchases in
 * (run as-of, run as-of + N units] — the N units after the message was decided — cut short at
 * the report's as-of while that window is still open. A goal combining tests with different
 * windows (`bought A within 7 days or bought B within 30 days`) measures each test over its own
 * window; the goal's window closes when the longest one does. Months and years are calendar
 * ones in the business zone, as everywhere else in the language.
 *
 * How: the SQL audience compiler measures every window back from its as-of, (as-of − W, as-of].
 * Compiling one test at as-of = end with W = end − run as-of covers (run as-of, end] exactly —
 * with W written in hours, so a calendar month or an open window cut at the report's as-of is
 * still exact. W is taken half a millisecond short: instants are whole milliseconds, so the
 * lower bound lands strictly between run as-of and run as-of + 1 ms, where floating-point error
 * in W · 3,600,000 cannot move it across a purchase.
 */

/** The goal's window for a run: the instants it measures, and whether it has closed. */
export interface GoalWindow {
  /** The run's as-of: purchases after it count. */
  readonly from: number;
  /** When the longest window of the goal closes. */
  readonly end: number;
  /** Purchases up to here are counted: the end, or the report's as-of while the window is open. */
  readonly until: number;
}

type PurchaseAtom = BoughtNode | SpentNode;

function atomsOf(goal: ConditionNode): PurchaseAtom[] {
  const atoms: PurchaseAtom[] = [];
  walkCondition(goal, (node) => {
    if (node.kind === "Bought" || node.kind === "Spent") atoms.push(node);
  });
  return atoms;
}

function atomEnd(atom: PurchaseAtom, from: number, zone: string): number {
  const window = atom.window;
  // The checker (E307) refuses a goal test without a window; reaching here without one is a bug.
  if (!window) throw new Error("a goal's purchase test has no window: run patron check");
  return shift(from, window.amount.value, window.unit, 1, zone);
}

export function goalWindow(goal: ConditionNode, runAsOf: number, reportAsOf: number, zone: string): GoalWindow {
  const end = Math.max(runAsOf, ...atomsOf(goal).map((a) => atomEnd(a, runAsOf, zone)));
  return { from: runAsOf, end, until: Math.min(end, reportAsOf) };
}

/** The goal as the marketer wrote it, on one line. */
export function goalText(campaign: CampaignDefinition): string | undefined {
  const goal = campaign.goal;
  if (!goal) return undefined;
  return campaign.source.text.slice(goal.start, goal.end).replace(/\s+/g, " ").trim();
}

export type GoalContext = Omit<AudienceContext, "asOf">;

/**
 * The goal as a two-valued SQL expression over a row `m` of members: true when the member's
 * purchases after the run reach it (see the rule above).
 */
export function compileGoal(goal: ConditionNode, runAsOf: number, reportAsOf: number, ctx: GoalContext): CompiledSql {
  const part = (node: ConditionNode): { text: string; params: SqlValue[] } => {
    switch (node.kind) {
      case "And":
      case "Or": {
        const operands = node.operands.map(part);
        return {
          text: `(${operands.map((o) => o.text).join(node.kind === "And" ? " AND " : " OR ")})`,
          params: operands.flatMap((o) => o.params),
        };
      }
      case "Not": {
        const inner = part(node.operand);
        return { text: `(NOT ${inner.text})`, params: inner.params };
      }
      case "Group":
        return part(node.inner);
      case "Bought":
      case "Spent": {
        const end = Math.min(atomEnd(node, runAsOf, ctx.businessZone), reportAsOf);
        const hours = Math.max(0, end - runAsOf - 0.5) / 3_600_000;
        const window = node.window as NonNullable<PurchaseAtom["window"]>;
        const measured = { ...node, window: { ...window, unit: "hour" as const, amount: { ...window.amount, value: hours } } };
        const compiled = compileCondition(measured, { ...ctx, asOf: Math.max(end, runAsOf) });
        return { text: `(${compiled.sql})`, params: [...compiled.params] };
      }
      default:
        throw new Error(`a goal tests purchases only, not ${node.kind}: run patron check`);
    }
  };
  const compiled = part(goal);
  return { sql: compiled.text, params: compiled.params };
}
