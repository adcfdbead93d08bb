import { listNames, suggest } from "@patron/dsl";
import type { Choice } from "./cells.js";

/**
 * What a reject reason for a value that is not one of its choices ends with: the choices, and
 * the nearest one. Worded here, on the importer's thread, rather than by the reading side:
 * `suggest` comes with the campaign language, which would add half a second to the start of a
 * reading thread that is not bundled.
 */
export function choiceHelp(choice: Choice): string {
  const near = suggest(choice.value, choice.choices);
  return `; expected one of ${listNames(choice.choices)}${near ? ` (did you mean "${near}"?)` : ""}`;
}
