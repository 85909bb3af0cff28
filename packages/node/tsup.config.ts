import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "bin/sluice": "src/bin/sluice.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
});
