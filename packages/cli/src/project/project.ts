import { dirname } from "node:path";
import { loadConfig, findConfigFile, toCheckEnvironment, type PatronConfig } from "@patron/config";
import { check, parse, SourceFile, type CheckEnvironment, type CheckResult, type Diagnostic, type ParseResult } from "@patron/dsl";
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
  const loaded = loadConfig(displayPath(configPath, cwd));
  const diagnostics = [...loaded.diagnostics];
  if (!loaded.config) return { configPath, diagnostics };
  return { configPath, config: loaded.config, env: toCheckEnvironment(loaded.config), diagnostics };
}

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
