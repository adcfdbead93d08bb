import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type Node } from "yaml";
import type { KeyPath } from "./key-path.js";

/** Offsets [start, end) into the file text. */
export type Range = readonly [number, number];

interface Located {
  /** The node at the path, or at the deepest part of it that exists in the file. */
  readonly node: Node | null;
  /** The key the node is written under, when it is a mapping value. */
  readonly key: Node | null;
  /** False when the path leads somewhere the file does not spell out (a merge key `<<`, say). */
  readonly exact: boolean;
}

/**
 * Finds where a value of the parsed configuration is written. Aliases are followed, so an error
 * in a value shared through an anchor points at the anchored original.
 */
export function locate(doc: Document, path: KeyPath): Located {
  let node: Node | null = doc.contents;
  let key: Node | null = null;
  for (const segment of path) {
    const collection: Node | null = node !== null && isAlias(node) ? (node.resolve(doc) ?? null) : node;
    if (isMap(collection)) {
      const pair = collection.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) return { node, key, exact: false };
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(collection) && typeof segment === "number" && segment < collection.items.length) {
      key = null;
      node = (collection.items[segment] as Node | null) ?? null;
    } else {
      return { node, key, exact: false };
    }
  }
  return { node, key, exact: true };
}

/**
 * Where to point for a problem with the value at `path`: the value itself when it is short (a
 * scalar, an alias, a flow collection), else the key it is written under. Block collections span
 * many lines, and an empty value has no text of its own.
 */
export function valueRange(doc: Document, text: string, path: KeyPath): Range {
  const { node, key } = locate(doc, path);
  const range = node?.range;
  if (node && range && range[1] > range[0] && (!isCollection(node) || node.flow === true)) return [range[0], range[1]];
  if (key?.range) return [key.range[0], key.range[1]];
  if (range) return [range[0], lineEnd(text, range[0])];
  return [0, 0];
}

/** Where to point for a problem with the key at the end of `path` (unknown key, bad name). */
export function keyRange(doc: Document, text: string, path: KeyPath): Range {
  const { key, exact } = locate(doc, path);
  if (exact && key?.range) return [key.range[0], key.range[1]];
  return valueRange(doc, text, path.slice(0, -1));
}

/**
 * Where to point for a problem with a whole mapping (a required key missing): its key, or for
 * the top level the start of the settings, as a zero-width position.
 */
export function mappingRange(doc: Document, text: string, path: KeyPath): Range {
  if (path.length === 0) {
    const start = doc.contents?.range?.[0] ?? 0;
    return [start, start];
  }
  const { key, exact } = locate(doc, path);
  if (exact && key?.range) return [key.range[0], key.range[1]];
  return valueRange(doc, text, path);
}

function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline;
}
