import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { SourceFile, hasErrors, sortDiagnostics, type Diagnostic } from "@patron/dsl";
import { parseDocument } from "yaml";
import { ConfigDocument } from "./config-document.js";
import { findConfigFile } from "./find.js";
import { resolveConfig } from "./resolve.js";
import { checkAgainstSchema } from "./schema-errors.js";
import { checkMeaning } from "./semantic-checks.js";
import type { PatronConfig } from "./types.js";
import { yamlDiagnostics } from "./yaml-errors.js";

export interface LoadResult {
  /** Set when there are no errors (warnings may remain). */
  readonly config?: PatronConfig;
  /** Every problem found, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads, parses, validates and resolves a patron.yaml. Never throws for bad input: a missing
 * file, YAML syntax errors and invalid values all come back as diagnostics, every one at once.
 * Diagnostics name the file as `path` was given.
 */
export function loadConfig(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { diagnostics: [unreadable(path, error)] };
  }
  return loadConfigText(text, path);
}

/**
 * loadConfig for text already in memory (an editor buffer, a test). Relative paths in it are
 * resolved, and files looked for, from the folder of `path`.
 */
export function loadConfigText(text: string, path: string): LoadResult {
  const source = new SourceFile(resolve(path), text);
  // YAML 1.2 (the default): `yes`, `no` and `09:00` stay text. Merge keys (`<<: *defaults`)
  // are allowed so channel settings can share a block.
  // logLevel "error": yaml would print warnings (e.g. about a list used as a key) to stderr itself.
  const doc = parseDocument(text, { prettyErrors: false, merge: true, logLevel: "error" });
  const warnings = yamlDiagnostics(source, path, doc.warnings, "warning");
  if (doc.errors.length > 0) {
    // A broken file's data is guesswork; schema errors about it would only distract.
    return { diagnostics: sortDiagnostics([...yamlDiagnostics(source, path, doc.errors, "error"), ...warnings]) };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses to expand aliases without bound (the "billion laughs" attack).
    return { diagnostics: [tooManyAliases(source, path, error)] };
  }
  if (data === null || data === undefined) return { diagnostics: [emptyFile(source, path), ...warnings] };

  const config = new ConfigDocument(source, path, doc, data);
  checkAgainstSchema(config);
  checkMeaning(config);
  const diagnostics = sortDiagnostics([...config.diagnostics, ...warnings]);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { config: resolveConfig(source.path, data), diagnostics };
}

/**
 * Finds the patron.yaml for `startDir` (see findConfigFile) and loads it; an E401 diagnostic when
 * there is none.
 */
export function loadNearestConfig(startDir: string): LoadResult {
  const file = findConfigFile(startDir);
  if (file !== undefined) return loadConfig(file);
  return {
    diagnostics: [
      {
        severity: "error",
        code: "E401",
        file: join(startDir, "patron.yaml"),
        span: new SourceFile(startDir, "").span(0, 0),
        message: `no patron.yaml in ${resolve(startDir)} or any folder above it`,
        help: "run Patron inside a campaigns repository, or create patron.yaml at its root (see docs/configuration.md)",
      },
    ],
  };
}

function unreadable(path: string, error: unknown): Diagnostic {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  const message =
    code === "ENOENT"
      ? `configuration file ${path} not found`
      : code === "EISDIR"
        ? `${path} is a folder, not a configuration file`
        : `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`;
  return {
    severity: "error",
    code: "E401",
    file: path,
    span: new SourceFile(path, "").span(0, 0),
    message,
    help: "patron.yaml lives at the root of the campaigns repository (see docs/configuration.md)",
  };
}

function tooManyAliases(source: SourceFile, path: string, error: unknown): Diagnostic {
  return {
    severity: "error",
    code: "E402",
    file: path,
    span: source.span(0, 0),
    message: "aliases (*name) expand to too much data",
    help: error instanceof Error ? error.message : String(error),
  };
}

function emptyFile(source: SourceFile, path: string): Diagnostic {
  return {
    severity: "error",
    code: "E403",
    file: path,
    span: source.span(0, 0),
    message: `${basename(path)} has no settings`,
    help: "it needs at least business, timezone and tiers (see docs/configuration.md)",
  };
}
