// `tsx benchmarks/report/render.ts benchmarks/results/latest.json`: writes the report of a run
// again from its JSON (to latest.md beside it), without running anything, so that a change to
// the report's layout reaches the committed report without a new run.
import { readFile, writeFile } from "node:fs/promises";
import { markdown, type Report } from "./report.js";

const input = process.argv[2];
if (input === undefined || !input.endsWith(".json")) {
  process.stderr.write("Usage: tsx benchmarks/report/render.ts <results>.json (writes <results>.md beside it)\n");
  process.exit(2);
}
const output = input.replace(/\.json$/, ".md");
const report = JSON.parse(await readFile(input, "utf8")) as Report;
await writeFile(output, markdown(report));
process.stdout.write(`Written: ${output}\n`);
