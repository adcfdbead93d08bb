import { listNames, suggest, type DiagnosticCode } from "@patron/dsl";
import { HELPERS, type HelperSpec, type ParamKind } from "./helpers.js";
import { resolveVariable, type VariableNode, type VariableTree } from "./variables.js";

/*
 * What a template does, read from its Handlebars syntax tree before it is ever rendered: the
 * variables it uses (with where, and whether an {{#if}} guards them), and every mistake: an
 * unknown variable or helper, a helper given the wrong things, a Handlebars feature Patron does
 * not offer (partials, @data, ../). Positions are Handlebars': 1-based lines, 0-based columns
 * in UTF-16 units, relative to the template text.
 */

export interface TemplatePosition {
  readonly line: number;
  readonly column: number;
}

export interface TemplateLoc {
  readonly start: TemplatePosition;
  readonly end: TemplatePosition;
}

export interface VariableUse {
  readonly parts: readonly string[];
  /** "member.name" */
  readonly path: string;
  readonly node: VariableNode;
  readonly loc: TemplateLoc;
  /**
   * True when the template cannot fail on this use if the variable (or the group holding it) has
   * no value: it sits inside {{#if}} on it or on its group, or it is itself the condition of an
   * {{#if}}/{{#unless}} and a single name (`{{#if coupon}}`; `{{#if coupon.code}}` still needs a coupon).
   */
  readonly guarded: boolean;
  /**
   * The use is the condition of an {{#if}}/{{#unless}}: only the groups holding it must be there
   * (`{{#if member.city}}` is false for a member without a city, it does not fail).
   */
  readonly condition: boolean;
}

export interface TemplateProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly help?: string;
  readonly loc: TemplateLoc;
}

export interface Analysis {
  readonly uses: readonly VariableUse[];
  readonly problems: readonly TemplateProblem[];
}

type Node = hbs.AST.Node;

export function analyzeTemplate(program: hbs.AST.Program, tree: VariableTree): Analysis {
  const walker = new Walker(tree);
  walker.program(program, []);
  return { uses: walker.uses, problems: walker.problems };
}

type Guard = readonly string[];

/** Where a path is used: shown as text, given to a helper expecting a kind, or tested by if/unless. */
type Role =
  | { readonly kind: "value" }
  | { readonly kind: "param"; readonly helper: string; readonly expects: ParamKind }
  | { readonly kind: "condition" };

class Walker {
  readonly uses: VariableUse[] = [];
  readonly problems: TemplateProblem[] = [];

  constructor(private readonly tree: VariableTree) {}

  program(program: hbs.AST.Program | undefined, guards: readonly Guard[]): void {
    for (const statement of program?.body ?? []) this.statement(statement, guards);
  }

  private statement(node: Node, guards: readonly Guard[]): void {
    switch (node.type as string) {
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement":
        return this.mustache(node as hbs.AST.MustacheStatement, guards);
      case "BlockStatement":
        return this.block(node as hbs.AST.BlockStatement, guards);
      case "PartialStatement":
      case "PartialBlockStatement":
        return this.problem("E605", node, "partials ({{> name}}) are not supported", "write the text into the template itself");
      case "Decorator":
      case "DecoratorBlock":
        return this.problem("E605", node, "decorators ({{* name}}) are not supported", "remove the decorator");
      default:
        return this.problem("E605", node, `unsupported template syntax (${node.type})`, "see docs/templates.md for what templates may use");
    }
  }

  private mustache(node: hbs.AST.MustacheStatement, guards: readonly Guard[]): void {
    const path = node.path;
    const hasArgs = node.params.length > 0 || hashPairs(node).length > 0;
    if (path.type !== "PathExpression") {
      // {{"text"}} or {{42}}: a literal shown as is.
      if (hasArgs) this.problem("E605", node, "a literal cannot be called like a helper", "remove what follows it");
      return;
    }
    const helper = helperName(path as hbs.AST.PathExpression);
    if (helper !== undefined) return this.call(helper, node, false, guards);
    if (hasArgs) return this.unknownHelper(path as hbs.AST.PathExpression, guards, node);
    this.variable(path as hbs.AST.PathExpression, { kind: "value" }, guards);
  }

  private block(node: hbs.AST.BlockStatement, guards: readonly Guard[]): void {
    const helper = helperName(node.path);
    if (helper === undefined) {
      if (node.params.length > 0 || hashPairs(node).length > 0) this.unknownHelper(node.path, guards, node);
      else {
        this.problem(
          "E605",
          node.path,
          `{{#${node.path.original}}} is not a helper: blocks over a variable are not supported`,
          `to show text only when it has a value, write {{#if ${node.path.original}}}…{{/if}}`,
        );
      }
      this.program(node.program, guards);
      this.program(node.inverse, guards);
      return;
    }
    this.call(helper, node, true, guards);
    // {{#if x}} guards x in its first branch, {{#unless x}} in its {{else}} branch.
    const first = node.params[0];
    const guard = first?.type === "PathExpression" ? (first as hbs.AST.PathExpression).parts : undefined;
    const withGuard = guard && guard.length > 0 ? [...guards, guard] : guards;
    this.program(node.program, helper === "if" ? withGuard : guards);
    this.program(node.inverse, helper === "unless" ? withGuard : guards);
  }

  /** A call of a known helper: block or not, the right number and kinds of parameters, known options. */
  private call(
    name: string,
    node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression,
    isBlock: boolean,
    guards: readonly Guard[],
  ): void {
    const spec = HELPERS.get(name) as HelperSpec;
    if (spec.block !== isBlock) {
      this.problem("E605", node, spec.block ? `${name} is a block helper` : `${name} is not a block helper`, `write it as ${spec.usage}`);
    }
    const count = node.params.length;
    if (count < spec.required || count > spec.params.length) {
      const takes = spec.required === spec.params.length ? `${spec.required}` : `${spec.required} or ${spec.params.length}`;
      this.problem(
        "E605",
        node,
        `${name} takes ${takes} ${spec.params.length === 1 ? "value" : "values"}, not ${count}`,
        `write it as ${spec.usage}`,
      );
    }
    node.params.forEach((param, i) => {
      const expects = spec.params[i] ?? "any";
      if (spec.literalFrom !== undefined && i >= spec.literalFrom) {
        if (param.type !== "StringLiteral")
          this.problem("E605", param, `the format of ${name} must be text in quotes`, `write it as ${spec.usage}`);
        return;
      }
      this.expression(param, spec.block ? { kind: "condition" } : { kind: "param", helper: name, expects }, guards);
    });
    for (const pair of hashPairs(node)) {
      if (!spec.options.includes(pair.key)) {
        const known = spec.options.length > 0 ? `it takes ${spec.options.join(", ")}` : "it takes none";
        this.problem("E605", pair, `${name} has no option "${pair.key}"`, known);
      }
      this.expression(pair.value, { kind: "condition" }, guards);
    }
  }

  private expression(node: Node, role: Role, guards: readonly Guard[]): void {
    switch (node.type as string) {
      case "PathExpression":
        return this.variable(node as hbs.AST.PathExpression, role, guards);
      case "SubExpression": {
        const sub = node as hbs.AST.SubExpression;
        const helper = helperName(sub.path);
        if (helper === undefined) return this.unknownHelper(sub.path, guards, sub);
        this.call(helper, sub, false, guards);
        if (role.kind === "param" && role.expects !== "any" && role.expects !== "text") {
          this.problem(
            "E605",
            node,
            `${role.helper} takes a ${role.expects}; (${helper} …) gives text`,
            `write it as ${HELPERS.get(role.helper)?.usage ?? ""}`,
          );
        }
        return;
      }
      case "StringLiteral":
      case "NumberLiteral":
      case "BooleanLiteral":
      case "NullLiteral":
      case "UndefinedLiteral": {
        if (role.kind !== "param" || role.expects === "any") return;
        const kind = node.type === "NumberLiteral" ? "number" : node.type === "StringLiteral" ? "text" : undefined;
        if (kind !== role.expects && !(role.expects === "number" && kind === "text")) {
          this.problem(
            "E605",
            node,
            `${role.helper} takes a ${role.expects}, not ${literalText(node)}`,
            `write it as ${HELPERS.get(role.helper)?.usage ?? ""}`,
          );
        }
        return;
      }
      default:
        this.problem("E605", node, `unsupported template syntax (${node.type})`, "see docs/templates.md for what templates may use");
    }
  }

  private variable(path: hbs.AST.PathExpression, role: Role, guards: readonly Guard[]): void {
    if (path.data) {
      return this.problem(
        "E605",
        path,
        `@-variables ({{${path.original}}}) are not available in templates`,
        "use the variables in docs/templates.md",
      );
    }
    if (path.depth > 0) {
      return this.problem(
        "E605",
        path,
        `{{${path.original}}} refers to an outer context: templates have only one`,
        "write the variable's full name, e.g. {{member.name}}",
      );
    }
    if (path.parts.length === 0) {
      return this.problem(
        "E605",
        path,
        `{{${path.original}}} is the whole context, not one value`,
        "name a variable, e.g. {{member.name}}",
      );
    }
    const resolved = resolveVariable(this.tree, path.parts);
    if (!resolved.ok) return this.unknownVariable(path, resolved.index, resolved.parent, resolved.known);
    const { node } = resolved;
    const name = path.parts.join(".");
    if (node.kind === "group" && role.kind !== "condition") {
      const children = [...node.children.keys()].map((c) => `${name}.${c}`);
      this.problem("E605", path, `{{${name}}} is a group of variables, not one value`, `use one of ${listNames(children)}`);
    } else if (role.kind === "param" && role.expects !== "any" && node.kind !== role.expects) {
      this.problem(
        "E605",
        path,
        `${role.helper} takes a ${role.expects}; ${name} is ${article(node.kind)}`,
        `write it as ${HELPERS.get(role.helper)?.usage ?? ""}`,
      );
    }
    const guarded =
      guards.some((g) => g.length <= path.parts.length && g.every((part, i) => path.parts[i] === part)) ||
      (role.kind === "condition" && path.parts.length === 1);
    this.uses.push({ parts: path.parts, path: name, node, loc: path.loc, guarded, condition: role.kind === "condition" });
  }

  private unknownVariable(path: hbs.AST.PathExpression, index: number, parent: string, known: readonly string[]): void {
    const name = path.parts.join(".");
    const part = path.parts[index] ?? "";
    const prefix = parent === "" ? "" : `${parent}.`;
    if (known.length === 0) {
      this.problem("E602", path, `unknown variable "${name}": ${parent} has no parts`, `write {{${parent}}}`);
      return;
    }
    const guess = suggest(part, known);
    const rest = path.parts.slice(index + 1);
    const corrected = guess === undefined ? undefined : [prefix + guess, ...rest].join(".");
    const list = parent === "" ? "Variables" : parent === "member" ? "Member fields" : `Variables of ${parent}`;
    const knownText = `${list}: ${listNames(known)}`;
    this.problem("E602", path, `unknown variable "${name}"`, corrected ? `did you mean {{${corrected}}}? ${knownText}` : knownText);
  }

  private unknownHelper(
    path: hbs.AST.PathExpression,
    guards: readonly Guard[],
    call: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression,
  ): void {
    const name = path.original;
    const known = [...HELPERS.keys()];
    const guess = suggest(name, known);
    const isVariable = resolveVariable(this.tree, path.parts).ok;
    const help = isVariable
      ? `${name} is a variable, not a helper: write {{${name}}} alone`
      : `${guess ? `did you mean ${guess}? ` : ""}Known helpers: ${listNames(known)}`;
    this.problem("E603", path, `unknown helper "${name}"`, help);
    // Its parameters are still checked, so one run reports their mistakes too.
    for (const param of call.params) this.expression(param, { kind: "condition" }, guards);
  }

  private problem(code: DiagnosticCode, node: Node, message: string, help?: string): void {
    this.problems.push({ code, message, ...(help === undefined ? {} : { help }), loc: node.loc });
  }
}

/** Handlebars leaves `hash` out when a call has no named options. */
function hashPairs(node: { readonly hash?: hbs.AST.Hash }): readonly hbs.AST.HashPair[] {
  return node.hash?.pairs ?? [];
}

/** The helper a path names, when it is one plain name of a known helper. */
function helperName(path: hbs.AST.PathExpression): string | undefined {
  const name = path.parts[0];
  return !path.data && path.depth === 0 && path.parts.length === 1 && name !== undefined && path.original === name && HELPERS.has(name)
    ? name
    : undefined;
}

function literalText(node: Node): string {
  const value = (node as { original?: unknown }).original;
  return typeof value === "string" ? `"${value}"` : String(value ?? node.type);
}

function article(kind: string): string {
  return kind === "text" ? "text" : kind === "boolean" ? "yes/no" : `a ${kind}`;
}
