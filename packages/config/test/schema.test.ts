import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULTS, SCHEMA_FILE } from "../src/index.js";
import {
  SCHEMA_PATH,
  VALIDATOR_PATH,
  VALIDATOR_TYPES,
  VALIDATOR_TYPES_PATH,
  compileSchema,
  generateValidatorSource,
} from "../scripts/generate-validator.mjs";

type Schema = { readonly [keyword: string]: unknown };
const schemaText = readFileSync(SCHEMA_PATH, "utf8");
const schema = JSON.parse(schemaText) as Schema;

/** Every schema object in the schema, with its JSON pointer. */
function* walk(node: unknown, pointer = "#"): Generator<[string, Schema]> {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* walk(item, `${pointer}/${index}`);
    return;
  }
  const object = node as Schema;
  yield [pointer, object];
  for (const [key, value] of Object.entries(object)) {
    if (key !== "enum" && key !== "required" && key !== "default") yield* walk(value, `${pointer}/${key}`);
  }
}

describe("patron.schema.json", () => {
  it("is what SCHEMA_FILE points at", () => {
    expect(SCHEMA_FILE).toBe(SCHEMA_PATH);
  });

  it("compiles in ajv's strict mode", () => {
    expect(() => compileSchema(schema)).not.toThrow();
  });

  it("has the generated validator up to date (run node packages/config/scripts/generate-validator.mjs)", () => {
    expect(readFileSync(VALIDATOR_PATH, "utf8")).toBe(generateValidatorSource(schemaText));
    expect(readFileSync(VALIDATOR_TYPES_PATH, "utf8")).toBe(VALIDATOR_TYPES);
  });

  it("describes every property, for editors", () => {
    const undescribed: string[] = [];
    for (const [pointer, node] of walk(schema)) {
      const properties = (node["properties"] ?? {}) as Record<string, Schema>;
      for (const [name, property] of Object.entries(properties)) {
        if (typeof property["description"] !== "string") undescribed.push(`${pointer}/properties/${name}`);
      }
    }
    expect(undescribed).toEqual([]);
  });

  it("says what is expected wherever a generic message would be unclear", () => {
    const unexplained: string[] = [];
    for (const [pointer, node] of walk(schema)) {
      const needsMessage = ["pattern", "anyOf", "oneOf", "not"].some((keyword) => keyword in node);
      if (needsMessage && typeof node["errorMessage"] !== "string") unexplained.push(pointer);
    }
    // Branches of anyOf/oneOf/not are explained by the combinator's own errorMessage.
    expect(unexplained.filter((pointer) => !/\/(anyOf|oneOf)\/\d+$|\/not$/.test(pointer))).toEqual([]);
  });

  it("leaves duplicates only in the lists semantic-checks.ts checks", () => {
    const unique = [...walk(schema)].filter(([, node]) => node["uniqueItems"] === true).map(([pointer]) => pointer);
    expect(unique).toEqual([
      "#/properties/tiers",
      "#/properties/segments",
      "#/properties/optOutKeywords",
      "#/definitions/customField/properties/values",
    ]);
  });

  it("shows editors the defaults the loader uses", () => {
    const properties = schema["properties"] as Record<string, Schema>;
    expect(properties["region"]?.["default"]).toBe(DEFAULTS.region);
    expect(properties["database"]?.["default"]).toBe(DEFAULTS.database);
    expect(properties["templates"]?.["default"]).toBe(DEFAULTS.templates);
    expect(properties["optOutKeywords"]?.["description"]).toContain(DEFAULTS.optOutKeywords.join(", "));
  });
});
