import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The script of a worker thread, `name` (no extension), beside the module starting it (pass its
 * import.meta.url): name.js in dist, or name.mjs in the CLI's bundle, where every entry point sits
 * beside the chunks. Undefined where there is none (the tests run the TypeScript sources).
 */
export function workerScriptBeside(name: string, moduleUrl: string): URL | undefined {
  for (const file of [`./${name}.js`, `./${name}.mjs`]) {
    const url = new URL(file, moduleUrl);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}
