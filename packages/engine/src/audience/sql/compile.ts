import { conjuncts, type BirthdayNode, type ConditionNode, type JoinedNode } from "@patron/dsl";
import { birthdayMonthDays } from "../../time/local-dates.js";
import { pastWindow } from "../../time/windows.js";
import { compileComparison } from "./attributes.js";
import { AudienceCompileError, type AudienceContext } from "./context.js";
import { and, FALSE, list, not, or, sql, TRUE, type Sql, type SqlValue } from "./fragment.js";
import { compileBought, compileLastPurchase, compilePointsExpiring, compileReferred, compileSpent } from "./history.js";
import { birthdayWindowDays, groupZonesByToday, perLocalDate, type LocalDates } from "./local-date.js";

/*
 * The audience compiler: a checked condition → one parameterised SELECT over `members AS m`.
 * The meaning of every condition is packages/engine/src/audience/SEMANTICS.md; this file and
 * its neighbours only say how each meaning is written in SQL. Every compiled condition is
 * two-valued (0 or 1, never NULL), so NOT, AND and OR are plain SQL.
 */

/** A query and the values of its `?` placeholders, in order. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/**
 * The SELECT of the members a condition selects, ids in ascending (binary) order. Members who
 * joined after as-of do not exist yet and are in no audience.
 */
export function compileAudience(condition: ConditionNode, ctx: AudienceContext): CompiledSql {
  const compilation = new Compilation(ctx);
  const parts = conjuncts(condition)
    .map((c) => compilation.condition(c))
    .filter((part) => part !== TRUE);
  const filter = parts.reduce<Sql>((acc, part) => sql`${acc}
  AND ${part}`, sql`(m.joined_at IS NULL OR m.joined_at <= ${ctx.asOf})`);
  const query = sql`SELECT m.id
FROM members AS m
WHERE ${filter}
ORDER BY m.id`;
  return { sql: query.text, params: query.params };
}

/**
 * The condition alone, as a two-valued SQL expression over a row `m` of `members` (for callers
 * that combine it with other tables, e.g. goals measured against sends). It does not apply the
 * joined-after-as-of rule; compileAudience does.
 */
export function compileCondition(condition: ConditionNode, ctx: AudienceContext): CompiledSql {
  const expr = new Compilation(ctx).condition(condition);
  return { sql: expr.text, params: expr.params };
}

/**
 * Whether a condition (with the segments it uses) depends on the member's local date, and so
 * needs `AudienceContext.zones`: birthday within, age.
 */
export function usesLocalDates(condition: ConditionNode, segments: AudienceContext["segments"], seen = new Set<string>()): boolean {
  switch (condition.kind) {
    case "And":
    case "Or":
      return condition.operands.some((c) => usesLocalDates(c, segments, seen));
    case "Not":
      return usesLocalDates(condition.operand, segments, seen);
    case "Group":
      return usesLocalDates(condition.inner, segments, seen);
    case "Birthday":
      return true;
    case "Comparison":
      return condition.field.value.toLowerCase() === "age";
    case "InSegment": {
      const name = condition.segment.value;
      const segment = segments.get(name);
      if (!segment || seen.has(name)) return false;
      seen.add(name);
      return usesLocalDates(segment.node.condition, segments, seen);
    }
    default:
      return false;
  }
}

class Compilation {
  private readonly ctx: AudienceContext;
  /** Segments being compiled, outermost first: a cycle is a checker error, never a hang here. */
  private readonly segmentStack: string[] = [];
  private dates: LocalDates | undefined;

  constructor(ctx: AudienceContext) {
    this.ctx = ctx;
  }

  private readonly localDates = (): LocalDates => {
    this.dates ??= groupZonesByToday(this.ctx.asOf, this.ctx.businessZone, this.ctx.zones);
    return this.dates;
  };

  condition(node: ConditionNode): Sql {
    switch (node.kind) {
      case "And":
        return and(node.operands.map((o) => this.condition(o)));
      case "Or":
        return or(node.operands.map((o) => this.condition(o)));
      case "Not":
        return not(this.condition(node.operand));
      case "Group":
        return this.condition(node.inner);
      case "Comparison":
        return compileComparison(node, this.ctx, this.localDates);
      case "Bought":
        return compileBought(node, this.ctx);
      case "Spent":
        return compileSpent(node, this.ctx);
      case "LastPurchase":
        return compileLastPurchase(node, this.ctx);
      case "PointsExpiring":
        return compilePointsExpiring(node, this.ctx);
      case "Joined":
        return this.joined(node);
      case "Birthday":
        return this.birthday(node);
      case "Referred":
        return compileReferred(node, this.ctx);
      case "InSegment":
        return this.segment(node.segment.value);
    }
  }

  /** joined within W: joined_at in (as-of − W, as-of]. */
  private joined(node: JoinedNode): Sql {
    const { after, upTo } = pastWindow(this.ctx.asOf, node.window.amount.value, node.window.unit, this.ctx.businessZone);
    return sql`(m.joined_at IS NOT NULL AND m.joined_at > ${after} AND m.joined_at <= ${upTo})`;
  }

  /**
   * birthday within W: birth_md (month*100+day) among the month-days of the next days of the
   * member's local calendar. The union over all local dates is tested first, outside the CASE,
   * so SQLite can use the members_birth_md index when the condition is a top-level conjunct.
   */
  private birthday(node: BirthdayNode): Sql {
    const dates = this.localDates();
    const monthDays = (today: string): number[] => birthdayMonthDays(today, birthdayWindowDays(today, node.window));
    const all = [...new Set([dates.businessToday, ...dates.others.map((g) => g.today)].flatMap(monthDays))].sort((a, b) => a - b);
    if (all.length === 0) return FALSE;
    const perDate = perLocalDate(dates, (today) => {
      const mds = monthDays(today);
      return mds.length === 0 ? FALSE : sql`m.birth_md IN (${list(mds)})`;
    });
    const union = sql`m.birth_md IN (${list(all)})`;
    return and([sql`m.birth_md IS NOT NULL`, union, ...(dates.others.length === 0 ? [] : [perDate])]);
  }

  /** in segment S: S's condition, compiled in place. */
  private segment(name: string): Sql {
    const segment = this.ctx.segments.get(name);
    if (!segment) throw new AudienceCompileError(`unknown segment "${name}"`);
    if (this.segmentStack.includes(name)) {
      throw new AudienceCompileError(`segment "${name}" uses itself: ${[...this.segmentStack, name].join(" → ")}`);
    }
    this.segmentStack.push(name);
    try {
      return this.condition(segment.node.condition);
    } finally {
      this.segmentStack.pop();
    }
  }
}
