// Reads a V8 CPU profile (node --cpu-prof) and sums self time: per function, and per part of the
// program (SQLite, Handlebars, JSON, the engine's folders, GC), for the delivery benchmark report.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

/**
 * Self time of every function in the profile, largest first; the same summed by part; and time
 * by the nearest Patron function on the stack (its own time and that of the libraries and native
 * code it called). `root` shortens file names.
 */
export function selfTimes(file, root) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byNode = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const functions = new Map();
  const parts = new Map();
  const callers = new Map();
  let totalMs = 0;
  for (const [id, ms] of byNode) {
    const frame = nodes.get(id).callFrame;
    const where = place(frame, root);
    const key = `${frame.functionName || "(anonymous)"} ${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || "(anonymous)", where, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
    const part = partOf(frame);
    parts.set(part, (parts.get(part) ?? 0) + ms);
    totalMs += ms;
    const caller = nearestPatronFrame(id, nodes, parent);
    if (caller) {
      const key = `${caller.functionName || "(anonymous)"} ${place(caller, root)}`;
      const entry = callers.get(key) ?? { name: caller.functionName || "(anonymous)", where: place(caller, root), ms: 0 };
      entry.ms += ms;
      callers.set(key, entry);
    }
  }
  const sorted = (items) => items.sort((a, b) => b.ms - a.ms);
  return {
    totalMs,
    functions: sorted([...functions.values()]),
    parts: sorted([...parts].map(([name, ms]) => ({ name, ms }))),
    callers: sorted([...callers.values()]),
  };
}

/** The sample's own frame or nearest caller that is Patron's code: where time spent in libraries and natives came from. */
function nearestPatronFrame(id, nodes, parent) {
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = nodes.get(at).callFrame;
    if (/packages\/[^/]+\/dist\//.test(frame.url)) return frame;
  }
  return undefined;
}

function place(frame, root) {
  if (!frame.url) return "(native)";
  const path = frame.url.startsWith("file://") ? relative(root, new URL(frame.url).pathname) : frame.url;
  return `${path.replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")}:${frame.lineNumber + 1}`;
}

// better-sqlite3's statements are C++ functions with no file: their names tell them apart from
// V8's own builtins (JSON.stringify is "stringify", also without a file).
const SQLITE_NATIVE = new Set(["run", "all", "get", "iterate", "prepare", "exec", "pluck", "raw", "expand", "bind"]);
const JSON_NATIVE = new Set(["stringify", "parse"]);

function partOf(frame) {
  const url = frame.url;
  const name = frame.functionName;
  if (name === "(garbage collector)") return "garbage collection";
  if (name === "(program)" || name === "(idle)" || name === "(root)") return `V8 ${name}`;
  if (!url) {
    if (SQLITE_NATIVE.has(name)) return "SQLite (better-sqlite3 native calls)";
    if (JSON_NATIVE.has(name)) return "JSON.stringify / JSON.parse";
    return `other native (${name || "anonymous"})`;
  }
  if (url.includes("/handlebars/")) return "Handlebars runtime";
  if (url.includes("/luxon/")) return "luxon";
  if (url.includes("/better-sqlite3/")) return "better-sqlite3 JS wrapper";
  const engine = url.match(/packages\/engine\/dist\/([^/]+)\//);
  if (engine) return `engine ${engine[1]}/`;
  const pkg = url.match(/packages\/([^/]+)\/dist\//);
  if (pkg) return `@patron/${pkg[1]}`;
  if (url.startsWith("node:")) return "Node internals";
  // Compiled templates are functions Handlebars builds at run time (new Function): no file of their own.
  return url.includes("node_modules") ? url.replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+).*/, "$1") : url;
}
