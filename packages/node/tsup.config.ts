import { cp } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "bin/sluice": "src/bin/sluice.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  // The CJS build finds the dashboard's files through import.meta.url too.
  shims: true,
  // The dashboard's page is served as files, not bundled: dist/dashboard is where it looks.
  onSuccess: async () => {
    await cp("src/cli/dashboard/page", "dist/dashboard", { recursive: true });
  },
});
