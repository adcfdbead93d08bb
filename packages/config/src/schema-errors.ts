import { listNames, suggest } from "@patron/dsl";
import { validate, type SchemaError, type SchemaNode } from "../generated/patron-schema-validator.js";
import type { ConfigDocument } from "./config-document.js";
import { displayPath, pointerToPath, type KeyPath } from "./key-path.js";

/**
 * Validates the data against schema/patron.schema.json (pre-compiled, see
 * scripts/generate-validator.mjs) and reports each error at the key or value it is about.
 *
 * Messages come from the schema: a schema object's `errorMessage` says what the value should look
 * like ("expected …"), its `description` says what a missing key is for. The same texts show in
 * VS Code, so the editor and `patron check` say the same thing.
 */
export function checkAgainstSchema(config: ConfigDocument): void {
  if (validate(config.data)) return;
  for (const error of meaningfulErrors(validate.errors ?? [])) reportSchemaError(config, error);
}

/** Keywords whose failure explains itself; ajv also reports why each of their branches failed. */
const COMBINATORS = new Set(["anyOf", "oneOf", "not", "propertyNames"]);

function meaningfulErrors(errors: readonly SchemaError[]): SchemaError[] {
  const kept: SchemaError[] = [];
  for (const error of errors) {
    // Duplicates are found by semantic-checks.ts instead: ajv stops at the first one and compares
    // case-sensitively, while tier names, like all names in campaigns, ignore case.
    if (error.keyword === "uniqueItems") continue;
    if (COMBINATORS.has(error.keyword)) {
      // ajv reports the errors of the failed branches just before the combinator's own error.
      for (let last = kept.at(-1); last !== undefined && isInside(last, error); last = kept.at(-1)) kept.pop();
    }
    kept.push(error);
  }
  return kept;
}

function isInside(inner: SchemaError, outer: SchemaError): boolean {
  return (
    inner.schemaPath.startsWith(`${outer.schemaPath}/`) &&
    (inner.instancePath === outer.instancePath || inner.instancePath.startsWith(`${outer.instancePath}/`))
  );
}

function reportSchemaError(config: ConfigDocument, error: SchemaError): void {
  const path = pointerToPath(error.instancePath, config.data);
  const where = displayPath(path);
  const prefix = where === "" ? "" : `${where}: `;
  const { params, parentSchema } = error;

  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params["additionalProperty"]);
      const known = Object.keys(parentSchema.properties ?? {}).filter((key) => key !== "$schema");
      const guess = suggest(name, known);
      const message = where === "" ? `unknown key "${name}"` : `unknown key "${name}" in ${where}`;
      config.keyError("E403", [...path, name], message, `${guess ? `did you mean "${guess}"? ` : ""}Known keys: ${listNames(known)}`);
      return;
    }
    case "required": {
      const missing = String(params["missingProperty"]);
      config.mappingError("E403", path, `${prefix}missing key "${missing}"`, firstSentence(parentSchema.properties?.[missing]));
      return;
    }
    case "dependencies": {
      const given = String(params["property"]);
      const missing = String(params["missingProperty"]);
      config.keyError(
        "E403",
        [...path, given],
        `${prefix}"${given}" is set but "${missing}" is not`,
        `give both ${given} and ${missing}, or neither`,
      );
      return;
    }
    case "propertyNames": {
      const name = String(params["propertyName"]);
      const expected = (error.schema as SchemaNode).errorMessage ?? "not a valid name";
      config.keyError("E403", [...path, name], `${displayPath([...path, name])}: ${expected}`);
      return;
    }
    case "enum": {
      const allowed = (params["allowedValues"] as readonly unknown[]).map(String);
      const guess = typeof error.data === "string" ? suggest(error.data, allowed) : undefined;
      const expected = parentSchema.errorMessage ?? `expected one of: ${allowed.join(", ")}`;
      config.valueError("E403", path, `${prefix}${expected}`, guess ? `did you mean "${guess}"?` : valueHelp(config, path, error));
      return;
    }
    default: {
      const expected = parentSchema.errorMessage ?? genericExpectation(error, path);
      config.valueError("E403", path, `${prefix}${expected}`, valueHelp(config, path, error));
    }
  }
}

/** What the value should be, for schema objects without an errorMessage of their own. */
function genericExpectation(error: SchemaError, path: KeyPath): string {
  const limit = error.params["limit"];
  switch (error.keyword) {
    case "type":
      switch (error.params["type"]) {
        case "string":
          return "expected text";
        case "number":
          return "expected a number";
        case "integer":
          return "expected a whole number";
        case "boolean":
          return "expected true or false";
        case "array":
          return "expected a list, e.g. [a, b]";
        case "object":
          return path.length === 0 ? 'expected settings as "key: value" lines' : 'expected settings as "key: value" lines below it';
        default:
          return `expected ${String(error.params["type"])}`;
      }
    case "minLength":
    case "minProperties":
      return "must not be empty";
    case "minItems":
      return `expected at least ${String(limit)} item${limit === 1 ? "" : "s"}`;
    case "minimum":
      return `expected ${String(limit)} or more`;
    case "maximum":
      return `expected ${String(limit)} or less`;
    case "exclusiveMinimum":
      return `expected more than ${String(limit)}`;
    default:
      return `does not fit the schema (${error.keyword})`;
  }
}

/** Advice about the value as written: empty, or read by YAML as something other than text. */
function valueHelp(config: ConfigDocument, path: KeyPath, error: SchemaError): string | undefined {
  const { data } = error;
  if (data === null) return "the value is empty";
  const wantsText = error.parentSchema["type"] === "string" || error.keyword === "enum";
  if (wantsText && (typeof data === "number" || typeof data === "boolean")) {
    const written = config.valueText(path);
    return `YAML reads ${written} as ${typeof data === "number" ? "a number" : "true/false"}; put it in quotes: "${written}"`;
  }
  const wantsNumberOrBoolean = ["number", "integer", "boolean"].includes(String(error.params["type"]));
  if (error.keyword === "type" && wantsNumberOrBoolean && typeof data === "string" && /^(-?\d+(\.\d+)?|true|false)$/.test(data)) {
    return `remove the quotes: ${data}`;
  }
  if (error.keyword === "type" && error.parentSchema.errorMessage === undefined) return firstSentence(error.parentSchema);
  return undefined;
}

function firstSentence(schema: SchemaNode | undefined): string | undefined {
  const text = schema?.description;
  if (text === undefined) return undefined;
  const end = text.search(/(?<!\be\.g|\bi\.e)\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}
