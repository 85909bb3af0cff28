import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const source = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Two tiers; `vitest run` (pnpm test) runs both, `pnpm test:unit` the first alone.
// - unit: the tests beside their code (packages/*/src, benchmarks, scripts, tools) and the export
//   snapshot. They never reach a server, so they run with no Redis installed.
// - integration: everything else under test/, against the Redis and the Redis Cluster that the
//   global setup starts (or finds in REDIS_URL and REDIS_CLUSTER_NODES).
// The rule: a test that needs Redis lives under test/, never beside the code.
export default defineConfig({
  resolve: {
    alias: {
      "@sluice/core/adapter": fileURLToPath(new URL("./packages/core/src/adapter.ts", import.meta.url)),
      "@sluice/core": source("core"),
      "@sluice/node": source("node"),
      "@sluice/fetch": source("fetch"),
      "@sluice/bulk": source("bulk"),
      "@sluice/upstash": source("upstash"),
    },
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "benchmarks/**/*.test.ts",
            "scripts/**/*.test.ts",
            "tools/**/*.test.ts",
            "test/exports/**/*.test.ts",
          ],
          // Tests that leave no global state behind can share one module graph per thread: the
          // tier then takes a third of the time it takes with a fresh graph per file.
          pool: "threads",
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/exports/**"],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
