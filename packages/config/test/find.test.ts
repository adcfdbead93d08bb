import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile, loadConfig, loadNearestConfig } from "../src/index.js";
import { MINIMAL, repository, show } from "./helpers.js";

describe("findConfigFile", () => {
  it("finds patron.yaml in the folder itself", () => {
    const root = repository({ "patron.yaml": MINIMAL });
    expect(findConfigFile(root)).toBe(join(root, "patron.yaml"));
  });

  it("walks up from a nested folder", () => {
    const root = repository({ "patron.yaml": MINIMAL, "campaigns/spring/welcome.campaign": "" });
    expect(findConfigFile(join(root, "campaigns/spring"))).toBe(join(root, "patron.yaml"));
  });

  it("takes the nearest one", () => {
    const root = repository({ "patron.yaml": MINIMAL, "brands/lumiere/patron.yaml": MINIMAL });
    mkdirSync(join(root, "brands/lumiere/campaigns"));
    expect(findConfigFile(join(root, "brands/lumiere/campaigns"))).toBe(join(root, "brands/lumiere/patron.yaml"));
  });

  it("accepts patron.yml, preferring patron.yaml", () => {
    const yml = repository({ "patron.yml": MINIMAL });
    expect(findConfigFile(yml)).toBe(join(yml, "patron.yml"));
    const both = repository({ "patron.yml": MINIMAL, "patron.yaml": MINIMAL });
    expect(findConfigFile(both)).toBe(join(both, "patron.yaml"));
  });

  it("ignores a folder named patron.yaml", () => {
    const root = repository({ "patron.yaml/readme.txt": "", "inner/x": "" });
    expect(findConfigFile(join(root, "inner"))).not.toBe(join(root, "patron.yaml"));
  });
});

describe("a configuration that is not there", () => {
  it("loadConfig reports E401 for a missing file", () => {
    const root = repository({});
    const path = join(root, "patron.yaml");
    const { config, diagnostics } = loadConfig(path);
    expect(config).toBeUndefined();
    expect(diagnostics.map(show)).toEqual([
      `1:1 E401 configuration file ${path} not found | help: patron.yaml lives at the root of the campaigns repository (see docs/configuration.md)`,
    ]);
  });

  it("loadConfig reports E401 for a folder", () => {
    const root = repository({ "patron.yaml/x": "" });
    expect(loadConfig(join(root, "patron.yaml")).diagnostics.map((d) => d.message)).toEqual([
      `${join(root, "patron.yaml")} is a folder, not a configuration file`,
    ]);
  });

  it("loadNearestConfig loads what it finds, or reports E401", () => {
    const root = repository({ "patron.yaml": MINIMAL, "campaigns/x.campaign": "" });
    expect(loadNearestConfig(join(root, "campaigns")).config?.business).toBe("Lumière Beauty");
    const { diagnostics } = loadNearestConfig("/");
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["E401 no patron.yaml in / or any folder above it"]);
  });
});
