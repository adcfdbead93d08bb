import type { CompareOp, TimeUnit } from "@patron/dsl";

/*
 * The plain-JSON pieces a compiled rule carries: fact `params` (what to observe) and condition
 * `value`s (what the observation must satisfy). Everything that depends only on the campaign and
 * the as-of instant (window bounds, date-literal boundaries, tier positions) is worked out once
 * when the rule is compiled; what depends on the member (their local date) is worked out by the
 * facts. json-rules-engine hashes params for its fact cache and clones conditions into each
 * result, so these stay small and JSON-only. No value object may have a `fact` key: the engine
 * would take it for a reference to another fact.
 */

/** Which purchases an item filter keeps: `anything` keeps all; otherwise the column equals a name. */
export interface ItemSpec {
  readonly by: "brand" | "category" | "sku" | "anything";
  readonly names: readonly string[];
}

/** The half-open interval (after, upTo] of epoch ms; `after: null` is "any time up to upTo". */
export interface WindowSpec {
  readonly after: number | null;
  readonly upTo: number;
}

/** `at least 3` and the like. */
export interface QuantitySpec {
  readonly op: CompareOp;
  readonly n: number;
}

/** Params of the purchase facts. */
export interface PurchaseParams {
  readonly item: ItemSpec;
  readonly window: WindowSpec;
}

/** Value of `last purchase … N UNITS ago`: b = as-of − N units; `exactly` also needs as-of − (N+1) units. */
export interface LastPurchaseSpec {
  readonly op: CompareOp;
  readonly bound: number;
  readonly boundBefore: number;
}

/** Value of `birthday within W`: the window is measured in local days from the member's today. */
export interface BirthdaySpec {
  readonly amount: number;
  readonly unit: TimeUnit;
}

/**
 * How a member field is read and compared.
 * - tier: by position in the configured list (case-insensitive); operands are positions.
 * - number, text, date (YYYY-MM-DD), boolean: operands of the same type.
 * - instant (joined_at against date literals): operands are the [start, end) of each date in the
 *   business zone.
 */
export type FieldKind = "tier" | "number" | "text" | "date" | "boolean" | "instant";

/** Where a field's value lives: a `members` column, or `attributes` under the declared name. */
export interface FieldParams {
  readonly field: string;
  readonly where: "column" | "attributes";
  readonly kind: FieldKind;
}

/** A date literal as an interval of instants, [start, end), in the business zone. */
export interface DateSpan {
  readonly start: number;
  readonly end: number;
}

export type Operand = number | string | boolean | DateSpan;

export type FieldTestSpec =
  | { readonly kind: "compare"; readonly op: CompareOp; readonly operand: Operand }
  | { readonly kind: "in"; readonly negated: boolean; readonly operands: readonly Operand[] }
  | { readonly kind: "between"; readonly low: Operand; readonly high: Operand };

/** Value of a field comparison: the test, and for tiers the configured list (lower case, lowest first). */
export interface FieldValueSpec {
  readonly fieldKind: FieldKind;
  readonly test: FieldTestSpec;
  readonly tiers?: readonly string[];
}
