// A child process for the memory test (run with --expose-gc): a trivial task over ITEMS inputs
// from an async generator, through an in-memory quota with a high limit, into OUTPUT. At every
// quarter of the inputs it collects garbage and notes heapUsed; prints one JSON line:
// { base, samples: [{ items, heapUsed }], summary }.
import { createMemoryLimiter, tokenBucket } from "@sluice/core";
import { runBulk } from "../../../packages/bulk/src/index.js";

const items = Number(process.env.ITEMS ?? "100000");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};
const samples: Array<{ items: number; heapUsed: number }> = [];

async function* numbers(): AsyncGenerator<number> {
  for (let i = 0; i < items; i++) {
    if (i > 0 && i % (items / 4) === 0) samples.push({ items: i, heapUsed: heap() });
    yield i;
  }
  samples.push({ items, heapUsed: heap() });
}

const quota = createMemoryLimiter().quota("memory", {
  limits: [tokenBucket({ rate: 10_000_000, burst: 1_000_000 })],
});
const base = heap();
const summary = await runBulk({
  inputs: numbers(),
  key: (i) => String(i),
  task: async (i) => ({ i, square: i * i }),
  quota,
  output: process.env.OUTPUT ?? "",
  concurrency: 32,
  progress: false,
});
process.stdout.write(`${JSON.stringify({ base, samples, after: heap(), summary })}\n`);
