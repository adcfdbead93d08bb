import type { HandlebarsEnv } from "./helpers.js";

/*
 * A template's JSON form: a second compilation of the same template whose output is its text as
 * it stands inside a JSON string — what JSON.stringify(text).slice(1, -1) gives — so planning
 * writes an outbox row's content (JSON) without JSON.stringify going over every rendered
 * character. A long e-mail is mostly static HTML: here its static text is escaped once, when the
 * template is compiled, and only the values a member brings in are escaped per render. Stringifying
 * rendered content was ~8% of planning a million members.
 *
 * It subclasses the two steps of Handlebars' compile that Handlebars exposes for extension
 * (env.Compiler and env.JavaScriptCompiler, as set-up-once.ts uses them):
 * - static text (ContentStatement) is escaped at compile time;
 * - a mustache's value is escaped as it is appended (`{{x}}`: after Handlebars' HTML escaping
 *   when the template escapes; `{{{x}}}` or noEscape: as is), converted to text as Handlebars'
 *   own append converts it (`"" + value`, null and undefined as nothing);
 * - a block's output ({{#if}}…) is appended unchanged: its programs are compiled by the same
 *   subclasses, so it is escaped already.
 * A text's JSON form differs from JSON.stringify's only where a surrogate pair is split across
 * two values (each half then escaped alone): both parse back to the same text.
 * json-form.test.ts renders every kind of template both ways.
 */

interface CompilerClass {
  new (): { compile(ast: unknown, options: object): unknown };
  prototype: object;
}

/** What the subclasses call of Handlebars' compilers (compiler/compiler.js, compiler/javascript-compiler.js). */
interface CompilerInternals {
  options: { noEscape?: boolean };
  SubExpression(node: unknown): void;
  opcode(name: string, ...args: unknown[]): void;
}
interface JavaScriptCompilerInternals {
  environment: { isSimple?: boolean };
  isInline(): boolean;
  replaceStack(fn: (current: unknown) => unknown[]): void;
  popStack(): unknown;
  pushSource(source: unknown): void;
  appendToBuffer(source: unknown, location?: unknown, explicit?: boolean): unknown;
  aliasable(name: string): unknown;
}

/** The text of `value` inside a JSON string. */
const jsonInner = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * How the generated code escapes a value (jsonInner, faster): a function made once per template
 * and kept on its container (the runtime's object every compiled function gets), as generated
 * code can name nothing of this module. A text without a character JSON escapes (quote, backslash, control
 * characters, surrogates: lone ones are escaped, pairs go through JSON.stringify too) is its own
 * JSON form — the usual value, found by one regular-expression test instead of a
 * JSON.stringify and a slice (~110 ns a value).
 */
const JSON_INNER = `(container.patronJsonInner ??= ((escapes) => (text) =>
  typeof text === "string" && !escapes.test(text) ? text : JSON.stringify(text).slice(1, -1))(/["\\\\\\u0000-\\u001f\\ud800-\\udfff]/))`;

const forms = new WeakMap<HandlebarsEnv, { Compiler: CompilerClass; JavaScriptCompiler: CompilerClass }>();

/**
 * The compiler steps of `env` that compile a template's JSON form; undefined when this
 * Handlebars does not expose its compilers (then there is no JSON form, see compile.ts).
 */
export function jsonFormCompilers(env: HandlebarsEnv): { Compiler: CompilerClass; JavaScriptCompiler: CompilerClass } | undefined {
  const steps = env as unknown as { Compiler?: CompilerClass; JavaScriptCompiler?: CompilerClass };
  if (typeof steps.Compiler !== "function" || typeof steps.JavaScriptCompiler !== "function") return undefined;
  let made = forms.get(env);
  if (!made) forms.set(env, (made = subclasses(steps.Compiler, steps.JavaScriptCompiler)));
  return made;
}

function subclasses(Base: CompilerClass, BaseJs: CompilerClass): { Compiler: CompilerClass; JavaScriptCompiler: CompilerClass } {
  // Handlebars' compilers are constructor functions whose prototypes name the class children are
  // compiled with (`compiler`): subclassed the same way, block programs compile to JSON form too.
  function JsonCompiler(): void {}
  const compiler = Object.create(Base.prototype) as Record<string, unknown>;
  compiler["compiler"] = JsonCompiler;
  compiler["MustacheStatement"] = function (this: CompilerInternals, mustache: { escaped: boolean }) {
    this.SubExpression(mustache);
    this.opcode(mustache.escaped && !this.options.noEscape ? "appendEscapedJson" : "appendJson");
  };
  compiler["ContentStatement"] = function (this: CompilerInternals, content: { value?: unknown }) {
    // Handlebars' own ContentStatement refuses a non-string value; the parser never makes one.
    if (typeof content.value === "string" && content.value !== "") this.opcode("appendContent", jsonInner(content.value));
  };
  JsonCompiler.prototype = compiler;

  function JsonJavaScriptCompiler(): void {}
  const js = Object.create(BaseJs.prototype) as Record<string, unknown>;
  js["compiler"] = JsonJavaScriptCompiler;
  const escaped = (compiler: JavaScriptCompilerInternals, value: unknown[]): unknown[] => [
    compiler.aliasable(JSON_INNER),
    "(",
    ...value,
    ")",
  ];
  // As JavaScriptCompiler's `append`, the appended value escaped.
  js["appendJson"] = function (this: JavaScriptCompilerInternals) {
    if (this.isInline()) {
      this.replaceStack((current) => [" != null ? ", current, ' : ""']);
      this.pushSource(this.appendToBuffer(escaped(this, ['"" + (', this.popStack(), ")"])));
    } else {
      const local = this.popStack();
      this.pushSource(["if (", local, " != null) { ", this.appendToBuffer(escaped(this, ['"" + ', local]), undefined, true), " }"]);
      if (this.environment.isSimple) this.pushSource(["else { ", this.appendToBuffer("''", undefined, true), " }"]);
    }
  };
  // As JavaScriptCompiler's `appendEscaped`: HTML-escaped first, then escaped for JSON.
  js["appendEscapedJson"] = function (this: JavaScriptCompilerInternals) {
    this.pushSource(this.appendToBuffer(escaped(this, [this.aliasable("container.escapeExpression"), "(", this.popStack(), ")"])));
  };
  JsonJavaScriptCompiler.prototype = js;
  return {
    Compiler: JsonCompiler as unknown as CompilerClass,
    JavaScriptCompiler: JsonJavaScriptCompiler as unknown as CompilerClass,
  };
}
