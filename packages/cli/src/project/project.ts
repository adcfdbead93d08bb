import { dirname, resolve } from "node:path";
import { loadConfig, findConfigFile, toCheckEnvironment, type PatronConfig } from "@patron/config";
import {
  check,
  parse,
  renderText,
  SourceFile,
  type CheckEnvironment,
  type CheckResult,
  type Diagnostic,
  type ParseResult,
} from "@patron/dsl";
import type { Io } from "../io.js";
import { textStyle } from "../output/style.js";
import { displayPath, findCampaignFiles, readText } from "./files.js";

/** Every source file the command read, by the path shown in diagnostics, for rendering source lines. */
export class SourceSet {
  private readonly files = new Map<string, SourceFile>();

  add(file: SourceFile): SourceFile {
    this.files.set(file.path, file);
    return file;
  }

  get(path: string): SourceFile | undefined {
    const known = this.files.get(path);
    if (known) return known;
    try {
      return this.add(new SourceFile(path, readText(path)));
    } catch {
      return undefined;
    }
  }
}

export interface LoadedProject {
  readonly configPath?: string;
  readonly config?: PatronConfig;
  readonly env?: CheckEnvironment;
  readonly diagnostics: Diagnostic[];
}

/** Finds and loads patron.yaml for the working folder (or the one given with --config). */
export function loadProject(configOption: string | undefined, cwd: string): LoadedProject {
  const configPath = configOption ?? findConfigFile(cwd);
  if (!configPath) {
    return {
      diagnostics: [
        {
          severity: "error",
          code: "E401",
          file: "patron.yaml",
          span: new SourceFile("patron.yaml", "").span(0, 0),
          message: `no patron.yaml in ${cwd} or any folder above it`,
          help: "run patron inside a campaigns repository, or name the configuration with --config PATH",
        },
      ],
    };
  }
  // Shown relative to the working folder; read from where it is even when that folder is not the
  // process's own (an embedding program, a test): loadConfig resolves against process.cwd().
  const absolute = resolve(cwd, configPath);
  const shown = displayPath(absolute, cwd);
  const loaded = loadConfig(resolve(shown) === absolute ? shown : absolute);
  const diagnostics = [...loaded.diagnostics];
  if (!loaded.config) return { configPath: absolute, diagnostics };
  return { configPath: absolute, config: loaded.config, env: toCheckEnvironment(loaded.config), diagnostics };
}

/**
 * For commands that cannot work without a valid patron.yaml: the loaded project, or undefined
 * after printing (to stderr, with source lines) why it could not be loaded.
 */
export function requireProject(
  configOption: string | undefined,
  io: Io,
  sources: SourceSet = new SourceSet(),
): LoadedProjectWithConfig | undefined {
  const project = loadProject(configOption, io.cwd);
  if (project.config && project.env) return { ...project, config: project.config, env: project.env };
  const style = textStyle(io.stdoutStream);
  for (const d of project.diagnostics) io.err(`${renderText(d, (p) => sources.get(p), style)}\n`);
  return undefined;
}

export type LoadedProjectWithConfig = LoadedProject & { readonly config: PatronConfig; readonly env: CheckEnvironment };

export interface CheckedProject {
  readonly files: readonly ParseResult[];
  readonly result: CheckResult;
}

/**
 * Parses the campaign files and the configured segment files, and checks them together.
 * With no paths, the whole campaigns repository (the folder of patron.yaml) is checked.
 */
export function checkProject(
  paths: readonly string[],
  project: LoadedProject & { env: CheckEnvironment },
  sources: SourceSet,
  cwd: string,
): CheckedProject {
  const roots = paths.length > 0 ? paths : [project.configPath ? dirname(project.configPath) : cwd];
  const files = new Set(findCampaignFiles(roots));
  for (const segmentFile of project.config?.segments ?? []) files.add(segmentFile);
  const parsed = [...files].sort().map((path) => parse(sources.add(new SourceFile(displayPath(path, cwd), readText(path)))));
  return { files: parsed, result: check({ files: parsed, env: project.env }) };
}
