import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Child } from "./support/children.js";

// 100,000 items with a trivial task through an in-memory quota, in a child run with
// --expose-gc so heapUsed is measured after a full collection. What may grow is the Set of
// keys seen (about 60 B per key); results and inputs must not stay in memory.
const ITEMS = 100_000;
const BOUND_BYTES = 16 * 1024 * 1024;

interface Report {
  base: number;
  samples: Array<{ items: number; heapUsed: number }>;
  summary: { done: number; skipped: number };
}

async function run(output: string): Promise<Report> {
  const child = Child.spawn("memory-worker.ts", { OUTPUT: output, ITEMS: String(ITEMS) }, ["--expose-gc"]);
  const { code } = await child.exited;
  expect(code, child.stderr).toBe(0);
  return child.json<Report>();
}

describe("a 100,000-item run", () => {
  it("keeps heap growth to the set of keys, and a resume skips them all", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-bulk-memory-"));
    try {
      const output = join(dir, "out.ndjson");
      const fresh = await run(output);
      const growth = fresh.samples.map((s) => ({ items: s.items, mb: (s.heapUsed - fresh.base) / 2 ** 20 }));
      const last = fresh.samples[fresh.samples.length - 1] as Report["samples"][number];
      const perKey = (last.heapUsed - fresh.base) / ITEMS;
      const resumed = await run(output);
      const resumedLast = resumed.samples[resumed.samples.length - 1] as Report["samples"][number];
      console.info(
        `[bulk] heap growth over ${ITEMS} items: ${growth.map((g) => `${g.items}: ${g.mb.toFixed(1)} MB`).join(", ")} ` +
          `(${perKey.toFixed(0)} B per key); resumed run (all skipped): ${((resumedLast.heapUsed - resumed.base) / 2 ** 20).toFixed(1)} MB`,
      );
      expect(fresh.summary.done).toBe(ITEMS);
      expect(last.heapUsed - fresh.base).toBeLessThan(BOUND_BYTES);
      expect(resumed.summary).toMatchObject({ done: 0, skipped: ITEMS });
      expect(resumedLast.heapUsed - resumed.base).toBeLessThan(BOUND_BYTES);
      const text = await readFile(output, "utf8");
      expect(text.split("\n").length - 1).toBe(ITEMS);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
