import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  // As in @sluice/core: the CJS build splits shared code into chunks too (tsup splits only ESM by default).
  splitting: true,
  sourcemap: true,
  // Edge runtimes (workerd, Vercel Edge, Deno) run modern JavaScript; nothing here needs Node.
  target: "es2022",
});
