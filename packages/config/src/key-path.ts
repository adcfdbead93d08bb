/**
 * Paths to a value inside patron.yaml, e.g. ["channels", "sms", "from"] or ["tiers", 2], and how
 * they are written in messages: `channels.sms.from`, `tiers[2]`, `coupons."HS 20".value`.
 */
export type KeyPath = readonly (string | number)[];

/** Turns a JSON pointer (as ajv reports it) into a key path; array indices become numbers. */
export function pointerToPath(pointer: string, data: unknown): KeyPath {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      const index = Number(key);
      path.push(index);
      current = current[index];
    } else {
      path.push(key);
      current = isRecord(current) ? current[key] : undefined;
    }
  }
  return path;
}

export function displayPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else {
      const name = /^[\p{L}\p{N}_-]+$/u.test(segment) ? segment : JSON.stringify(segment);
      text += text === "" ? name : `.${name}`;
    }
  }
  return text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
