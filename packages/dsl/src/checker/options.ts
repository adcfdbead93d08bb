import type { ActiveNode, ConditionNode, HoldoutNode, LimitNode, PriorityNode, Range, ScheduleNode } from "../ast/nodes.js";
import { walkCondition } from "../ast/walk.js";
import { suggest } from "../diagnostics/suggest.js";
import type { Reporter } from "./reporter.js";

/** Checks of campaign options: holdout, active window, schedule, limit, priority, goal. */

export function checkHoldout(node: HoldoutNode, report: Reporter): void {
  const p = node.percent.value;
  if (p > 100) {
    report.error(
      "E302",
      node.percent,
      `a holdout of ${node.percent.raw}% is more than every member`,
      "give a percentage from 0% to 100%, usually 5% to 20%",
    );
  } else if (p === 100) {
    report.warning(
      "W504",
      node.percent,
      "a holdout of 100% keeps every member out, so nobody is sent anything",
      "usually 5% to 20% is enough to measure the campaign",
    );
  }
}

export function checkActive(node: ActiveNode, report: Reporter): void {
  if (node.from && node.until && node.from.value > node.until.value) {
    report.error("E304", node, `the campaign ends (${node.until.value}) before it starts (${node.from.value})`, "swap the two dates");
  }
}

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekday", "weekend"];

export function checkSchedule(node: ScheduleNode, report: Reporter): void {
  const spec = node.spec;
  if (spec.kind === "cron") {
    const fields = spec.expression.value.trim().split(/\s+/);
    const valid = fields.length === 5 && fields.every((f) => /^[\d*,/\-A-Za-z?]+$/.test(f));
    if (!valid) {
      report.error(
        "E305",
        spec.expression,
        `"${spec.expression.value}" is not a cron expression`,
        'cron takes five fields: minute hour day-of-month month day-of-week, for example: cron "30 9 * * *"',
      );
    }
    return;
  }
  for (const day of spec.weekdays) {
    if (!WEEKDAYS.includes(day.value.toLowerCase())) {
      const guess = suggest(day.value, WEEKDAYS);
      report.error(
        "E305",
        day,
        `"${day.value}" is not a day of the week`,
        `${guess ? `did you mean "${guess}"? ` : ""}Days: monday … sunday, weekday, weekend`,
      );
    }
  }
  if (spec.interval && (!Number.isInteger(spec.interval.value) || spec.interval.value < 1)) {
    report.error(
      "E305",
      spec.interval,
      `every ${spec.interval.raw} ${spec.unit ?? ""}s is not a schedule`,
      "give a whole number of 1 or more",
    );
  }
  if (spec.unit === "hour" && spec.times.length > 0) {
    report.error("E305", node, "an hourly schedule has no time of day", "write every hour, or every day at 09:30");
  }
  if (spec.monthDay) {
    if (spec.unit !== "month") {
      report.error(
        "E305",
        spec.monthDay,
        `"on day ${spec.monthDay.raw}" only fits a monthly schedule`,
        "write every month on day 1 at 09:00",
      );
    } else if (!Number.isInteger(spec.monthDay.value) || spec.monthDay.value < 1 || spec.monthDay.value > 31) {
      report.error("E305", spec.monthDay, `day ${spec.monthDay.raw} is not a day of the month`, "give a day from 1 to 31");
    }
  }
  if (spec.unit === "year") {
    report.error("E305", node, "yearly schedules are not supported", 'use a cron expression, for example: cron "0 9 1 1 *"');
  }
}

export function checkLimit(node: LimitNode, report: Reporter): void {
  if (!Number.isInteger(node.times) || node.times < 1) {
    report.error(
      "E306",
      node,
      `a limit of ${node.times} messages is not a limit`,
      "write once, twice, or a whole number of times such as 3 times",
    );
  }
  if (node.every) {
    if (!Number.isInteger(node.every.amount.value) || node.every.amount.value < 1) {
      report.error(
        "E306",
        node.every,
        `every ${node.every.amount.raw} ${node.every.unit}s is not a period`,
        "give a whole number of 1 or more, for example: every 30 days",
      );
    }
  }
}

export function checkPriority(node: PriorityNode, report: Reporter): void {
  if (!Number.isInteger(node.value.value)) {
    report.error(
      "E306",
      node.value,
      `priority ${node.value.raw} is not a whole number`,
      "higher priorities go first when frequency caps must choose, for example: priority 10",
    );
  }
}

/** A goal is a purchase the campaign hopes to cause: bought or spent, with a window after the send. */
export function checkGoalShape(condition: ConditionNode, report: Reporter, cutShort: (at: Range) => boolean = () => false): void {
  walkCondition(condition, (node) => {
    switch (node.kind) {
      case "And":
      case "Or":
      case "Not":
      case "Group":
        return;
      case "Bought":
      case "Spent":
        if (!node.window && !cutShort(node)) {
          report.error(
            "E307",
            node,
            "a goal needs a window: how long after the message a purchase still counts",
            "add one, for example: within 14 days",
          );
        }
        return;
      default:
        report.error(
          "E307",
          node,
          "a goal is measured by purchases: use bought … or spent …",
          'for example: goal bought brand "Head & Shoulders" within 14 days',
        );
    }
  });
}
