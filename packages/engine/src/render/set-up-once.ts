import type { TemplateDelegate } from "handlebars";
import type { HandlebarsEnv } from "./helpers.js";

type CompileOptions = NonNullable<Parameters<HandlebarsEnv["compile"]>[1]>;

/*
 * Handlebars sets a compiled template up again on every call: it copies and wraps every helper
 * of the environment and builds its prototype-access rules, about 2.5 µs — most of the cost of
 * a short template such as an SMS body, rendered a million times in a run. That set-up depends
 * only on the environment and on the helpers, partials and decorators a call passes, and our
 * calls pass none: its result is the same every time. So a template here is compiled as
 * Handlebars.compile compiles it, set up on its first call, and keeps that set-up after.
 *
 * This reaches two things Handlebars exposes without typing them: env.Compiler and
 * env.JavaScriptCompiler (the steps of its own compile), and the template's `_setup` (the
 * per-call step). When the compile steps are missing (another Handlebars version), the template
 * is an ordinary env.compile one; without `_setup`, one set up every call: slower, never
 * different. set-up-once.test.ts renders both ways.
 */

interface CompilerSteps {
  Compiler: new () => { compile(ast: unknown, options: CompileOptions): unknown };
  JavaScriptCompiler: new () => { compile(environment: unknown, options: CompileOptions, context: undefined, asObject: true): unknown };
  parse(input: string, options: CompileOptions): unknown;
  template(spec: unknown): TemplateDelegate & { _setup?: (options: Record<string, unknown>) => void };
}

/**
 * Compiles `text` like env.compile, as a template that is set up once (see above). `compilers`
 * replaces env's two compile steps (json-form.ts); without them, and without env's, the template
 * is env.compile's.
 */
export function compileSetUpOnce(
  env: HandlebarsEnv,
  text: string,
  options: CompileOptions,
  compilers?: Pick<CompilerSteps, "Compiler" | "JavaScriptCompiler">,
): TemplateDelegate {
  const steps = { ...(env as unknown as Partial<CompilerSteps>), ...compilers };
  if (typeof steps.Compiler !== "function" || typeof steps.JavaScriptCompiler !== "function") return env.compile(text, options);
  // As Handlebars.compile does (compiler/compiler.js): data on unless asked otherwise.
  const opts: CompileOptions = { data: true, ...options };
  const environment = new steps.Compiler().compile(env.parse(text, opts), opts);
  const template = env.template(new steps.JavaScriptCompiler().compile(environment, opts, undefined, true) as never) as ReturnType<
    CompilerSteps["template"]
  >;
  const setUp = template._setup;
  // Set up on every call, as Handlebars does: slower, never different.
  if (typeof setUp !== "function") return template;
  let done = false;
  template._setup = (callOptions) => {
    // A partial call (none of ours: no partials are registered) brings its own state.
    if (done && !callOptions["partial"]) return;
    setUp(callOptions);
    done = !callOptions["partial"];
  };
  return template;
}
