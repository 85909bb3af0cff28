import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@sluice/core/adapter": fileURLToPath(new URL("./packages/core/src/adapter.ts", import.meta.url)),
      "@sluice/core": source("core"),
      "@sluice/node": source("node"),
      "@sluice/fetch": source("fetch"),
      "@sluice/bulk": source("bulk"),
    },
  },
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "benchmarks/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
