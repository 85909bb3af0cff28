import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryLimiter, tokenBucket } from "@sluice/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BulkOptions,
  isCorruptOutputError,
  isRunLockedError,
  type Page,
  runBulk,
  type TaskContext,
} from "../../packages/bulk/src/index.js";
import { readLines } from "./support/ndjson.js";

// In-process runs over small inputs: line shapes, duplicates, retries and failures, resume of a
// paginated item from its cursor after a cut line, stopping by signal, the lock.
let dir: string;
let output: string;
let failures: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-bulk-unit-"));
  output = join(dir, "out.ndjson");
  failures = join(dir, "out.failures.ndjson");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const base = { progress: false, retry: { baseDelay: 1 } } as const;

/** A fake paginated API: item `id` has `pages` pages; the cursor of page k is `c<k+1>`. */
function pagedTask(pages: (id: string) => number, calls: Array<{ id: string; cursor: unknown; page: number }>) {
  return async function* (id: string, { cursor, page }: TaskContext): AsyncGenerator<Page<string[]>> {
    calls.push({ id, cursor, page });
    let at = typeof cursor === "string" ? Number(cursor.slice(1)) : 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const next = at + 1 < pages(id) ? `c${at + 1}` : null;
      yield { result: [`${id}-${at}`], cursor: next };
      if (next === null) return;
      at++;
    }
  };
}

describe("runBulk", () => {
  it("writes one terminal line per distinct key, skips duplicates, and skips finished keys on a rerun", async () => {
    const ids = ["1553030189", "12345", "25044994947", "25044994947", "420842043"];
    const options: BulkOptions<string, { id: string }> = {
      ...base,
      inputs: ids,
      key: (id) => id,
      task: async (id) => ({ id }),
      output,
    };
    expect(await runBulk(options)).toMatchObject({ done: 4, duplicates: 1, skipped: 0, failed: 0, interrupted: false });
    const lines = await readLines(output);
    expect(lines.map((l) => l.key).sort()).toEqual([...new Set(ids)].sort());
    expect(lines[0]).toEqual({ key: "1553030189", done: true, result: { id: "1553030189" } });
    expect(await runBulk(options)).toMatchObject({ done: 0, skipped: 5, duplicates: 0 });
    expect(await readLines(output)).toHaveLength(4);
  });

  it("records an item that still fails after the retries once, with the reason, and skips it on a rerun", async () => {
    let tries = 0;
    const options: BulkOptions<number, number> = {
      ...base,
      inputs: [1, 2, 3],
      key: String,
      retry: { limit: 2, baseDelay: 1 },
      task: async (n) => {
        if (n !== 2) return n * 10;
        tries++;
        throw Object.assign(new Error("upstream says no"), { status: 500 });
      },
      output,
    };
    expect(await runBulk(options)).toMatchObject({ done: 2, failed: 1, retries: 2 });
    expect(tries).toBe(3);
    expect(await readLines(failures)).toEqual([
      expect.objectContaining({ key: "2", reason: "upstream says no", error: "Error", status: 500, attempts: 3 }),
    ]);
    expect(await runBulk(options)).toMatchObject({ done: 0, skipped: 2, skippedFailed: 1 });
    expect(tries).toBe(3);
    expect(await runBulk({ ...options, retryFailed: true, retry: false })).toMatchObject({ failed: 1 });
    expect(tries).toBe(4);
  });

  it("creates the failures file on the first failure: none after a clean run, then one line", async () => {
    const options: BulkOptions<number, number> = { ...base, inputs: [1, 2], key: String, task: async (n) => n, output };
    expect(await runBulk(options)).toMatchObject({ done: 2, failed: 0 });
    await expect(access(failures)).rejects.toMatchObject({ code: "ENOENT" });
    const failing = {
      ...options,
      inputs: [1, 2, 3],
      retry: false,
      task: async (n: number) => {
        if (n === 3) throw new Error("gone");
        return n;
      },
    } as const;
    expect(await runBulk(failing)).toMatchObject({ done: 0, skipped: 2, failed: 1 });
    expect(await readLines(failures)).toEqual([expect.objectContaining({ key: "3", reason: "gone", attempts: 1 })]);
    expect(await runBulk(failing)).toMatchObject({ skipped: 2, skippedFailed: 1, failed: 0 });
  });

  it("spends one quota unit per page, none after a page whose cursor is null", async () => {
    const quota = createMemoryLimiter().quota("pages", { limits: [tokenBucket({ rate: 100_000, burst: 1000 })] });
    const calls: Array<{ id: string; cursor: unknown; page: number }> = [];
    const summary = await runBulk({
      ...base,
      inputs: ["a", "b", "c"],
      key: (id) => id,
      quota,
      task: pagedTask((id) => ({ a: 3, b: 1, c: 2 })[id] ?? 0, calls),
      output,
    });
    expect(summary).toMatchObject({ done: 3, pages: 6, requests: 6 });
    const lines = await readLines(output);
    expect(lines.filter((l) => l.key === "a")).toEqual([
      { key: "a", page: 0, cursor: "c1", result: ["a-0"] },
      { key: "a", page: 1, cursor: "c2", result: ["a-1"] },
      { key: "a", page: 2, cursor: null, done: true, result: ["a-2"] },
    ]);
  });

  it("resumes a paginated item from the cursor of its last complete line, cutting a line a kill left unfinished", async () => {
    await writeFile(
      output,
      [
        '{"key":"a","page":0,"cursor":"c1","result":["a-0"]}\n',
        '{"key":"b","page":0,"cursor":null,"done":true,"result":["b-0"]}\n',
        '{"key":"a","page":1,"cursor":"c2","result":["a-1"]}\n',
        '{"key":"a","page":2,"cursor":"c3","res',
      ].join(""),
    );
    const calls: Array<{ id: string; cursor: unknown; page: number }> = [];
    const summary = await runBulk({
      ...base,
      inputs: ["a", "b"],
      key: (id) => id,
      task: pagedTask(() => 5, calls),
      output,
    });
    expect(summary).toMatchObject({ done: 1, skipped: 1, pages: 3 });
    expect(summary.repairedBytes).toBe('{"key":"a","page":2,"cursor":"c3","res'.length);
    expect(calls).toEqual([{ id: "a", cursor: "c2", page: 2 }]);
    const pages = (await readLines(output)).filter((l) => l.key === "a").map((l) => l.page);
    expect(pages).toEqual([0, 1, 2, 3, 4]);
  });

  it("a retry after a page was written goes on from that page's cursor", async () => {
    const calls: Array<{ id: string; cursor: unknown; page: number }> = [];
    const inner = pagedTask(() => 4, calls);
    let thrown = false;
    const summary = await runBulk({
      ...base,
      inputs: ["a"],
      key: (id) => id,
      task: async function* (id: string, context: TaskContext) {
        for await (const page of inner(id, context)) {
          if (page.cursor === "c3" && !thrown) {
            thrown = true;
            throw new Error("connection reset");
          }
          yield page;
        }
      },
      output,
    });
    expect(summary).toMatchObject({ done: 1, pages: 4, retries: 1 });
    expect(calls.map((c) => c.cursor)).toEqual([undefined, "c2"]);
  });

  it("stops on its signal after the pages in flight are written, and a rerun finishes without a gap or duplicate", async () => {
    const controller = new AbortController();
    const calls: Array<{ id: string; cursor: unknown; page: number }> = [];
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    let written = 0;
    const task = pagedTask(() => 6, calls);
    const first = await runBulk({
      ...base,
      inputs: ids,
      key: (id) => id,
      concurrency: 4,
      signal: controller.signal,
      task: async function* (id: string, context: TaskContext) {
        for await (const page of task(id, context)) {
          if (++written === 10) controller.abort();
          yield page;
        }
      },
      output,
    });
    expect(first.interrupted).toBe(true);
    expect(first.pages).toBeLessThan(6 * ids.length);
    const second = await runBulk({ ...base, inputs: ids, key: (id) => id, task, output });
    expect(second.interrupted).toBe(false);
    expect(second.done + second.skipped).toBe(ids.length);
    const lines = await readLines(output);
    for (const id of ids) expect(lines.filter((l) => l.key === id).map((l) => l.page)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(first.pages + second.pages).toBe(6 * ids.length);
  });

  it("refuses an output another live process holds, and a corrupt line in the middle", async () => {
    const options = { ...base, inputs: [1], key: String, task: async () => 1, output };
    await writeFile(`${output}.lock`, `${process.ppid}\n`);
    await expect(runBulk(options)).rejects.toSatisfy(isRunLockedError);
    await rm(`${output}.lock`);
    await writeFile(output, 'not json\n{"key":"1","done":true}\n');
    await expect(runBulk(options)).rejects.toSatisfy(isCorruptOutputError);
    await writeFile(output, '{"key":"1","done":true}\nnot json\n');
    expect(await runBulk(options)).toMatchObject({ skipped: 1, repairedBytes: 9 });
    expect(await readFile(output, "utf8")).toBe('{"key":"1","done":true}\n');
  });

  it("validates options with one TypeError shape", async () => {
    const options = { ...base, inputs: [1], key: String, task: async () => 1, output };
    await expect(runBulk({ ...options, concurrency: 0 })).rejects.toThrow(
      "Expected `concurrency` to be an integer from 1 to 10000, got `0` (number)",
    );
    await expect(runBulk({ ...options, key: () => "" })).rejects.toThrow(
      'Expected `key(input)` to be a non-empty string, got `""` (string)',
    );
  });
});
