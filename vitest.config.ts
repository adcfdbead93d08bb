import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests import the workspace packages from their TypeScript sources (the "source" export condition),
    // so a test run never depends on a stale build. CLI end-to-end tests run the built binary instead.
    conditions: ["source"],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
