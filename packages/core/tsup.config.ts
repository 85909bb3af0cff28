import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/adapter.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  // One copy of each class for both entries in CJS too (ESM splits by default).
  splitting: true,
  sourcemap: true,
  target: "node20",
});
