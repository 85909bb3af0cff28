import { createMemoryLimiter, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { isOutputWriteError, OutputWriteError } from "./errors/output-write-error.js";
import { type ItemContext, runItem } from "./item-runner.js";
import type { BulkTask, Page, TaskContext } from "./options.js";

/** A sink keeping its lines parsed. */
function sink() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, append: async (line: string) => void lines.push(JSON.parse(line)) };
}

function contextOf<R>(task: BulkTask<string, R>, options: Partial<ItemContext<string, R>> = {}) {
  const output = sink();
  const failures = sink();
  const soft = new AbortController();
  const hard = new AbortController();
  const run: ItemContext<string, R> = {
    task,
    quota: createMemoryLimiter().quota("items", { limits: [tokenBucket({ rate: 100_000, burst: 1000 })] }),
    auto: true,
    cost: 2,
    retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 1 },
    retryable: undefined,
    output,
    failures,
    soft: soft.signal,
    hard: hard.signal,
    ...options,
  };
  return { run, output: output.lines, failures: failures.lines, soft, hard };
}

const item = (key: string, resume?: { page: number; cursor: string }) => ({ input: key, key, resume });

/** Pages `c0`, `c1`, … of `count`; the cursor of page k is `c<k+1>`, null for the last. */
function paged(count: number, seen: TaskContext[] = []) {
  return async function* (id: string, context: TaskContext): AsyncGenerator<Page<string>> {
    seen.push(context);
    for (let at = context.page; at < count; at++) {
      yield { result: `${id}-${at}`, cursor: at + 1 < count ? `c${at + 1}` : null };
    }
  };
}

describe("runItem", () => {
  it("writes a single result as one line, after acquiring its cost", async () => {
    const { run, output } = contextOf(async (id) => ({ id }));
    expect(await runItem(item("a"), run)).toEqual({ end: "done", pages: 0, requests: 1, retries: 0, units: 2 });
    expect(output).toEqual([{ key: "a", done: true, result: { id: "a" } }]);
  });

  it("writes each page before asking for the next, one acquire per page, from the resume point", async () => {
    const seen: TaskContext[] = [];
    const { run, output } = contextOf(paged(4, seen));
    expect(await runItem(item("a", { page: 1, cursor: "c1" }), run)).toEqual({
      end: "done",
      pages: 3,
      requests: 3,
      retries: 0,
      units: 6,
    });
    expect(seen.map(({ page, cursor, attempt }) => ({ page, cursor, attempt }))).toEqual([
      { page: 1, cursor: "c1", attempt: 1 },
    ]);
    expect(output.map((line) => [line.page, line.cursor, line.done])).toEqual([
      [1, "c2", undefined],
      [2, "c3", undefined],
      [3, null, true],
    ]);
  });

  it("ends an iterable that stops without a null cursor with an end line", async () => {
    const { run, output } = contextOf(async function* () {
      yield { result: 1, cursor: "next" };
    });
    expect((await runItem(item("a"), run)).end).toBe("done");
    expect(output.at(-1)).toEqual({ key: "a", done: true, pages: 1 });
  });

  it("retries from the last page written, counting attempts afresh after each page", async () => {
    const seen: TaskContext[] = [];
    const inner = paged(3);
    // Page 0 fails once, page 1 twice: three retries in all, over a limit of 2 per page.
    const failuresLeft: Record<string, number> = { c1: 1, c2: 2 };
    const { run, output } = contextOf(async function* (id: string, context: TaskContext) {
      seen.push(context);
      for await (const page of inner(id, context)) {
        const left = failuresLeft[String(page.cursor)] ?? 0;
        failuresLeft[String(page.cursor)] = left - 1;
        if (left > 0) throw new Error("connection reset");
        yield page;
      }
    });
    expect(await runItem(item("a"), run)).toMatchObject({ end: "done", pages: 3, retries: 3 });
    expect(seen.map(({ page, attempt }) => [page, attempt])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
      [1, 3],
    ]);
    expect(output.map((line) => line.page)).toEqual([0, 1, 2]);
  });

  it("records a failure line once the retries are spent", async () => {
    let calls = 0;
    const { run, failures } = contextOf(async () => {
      calls++;
      throw Object.assign(new Error("upstream says no"), { status: 500 });
    });
    expect(await runItem(item("a"), run)).toMatchObject({ end: "failed", retries: 2 });
    expect(calls).toBe(3);
    expect(failures).toEqual([
      expect.objectContaining({ key: "a", reason: "upstream says no", status: 500, page: 0, attempts: 3 }),
    ]);
  });

  it("stops after the page in flight once the run stops, and closes the generator", async () => {
    let closed = false;
    const { run, output, soft } = contextOf(async function* () {
      try {
        for (let at = 0; ; at++) {
          if (at === 2) soft.abort();
          yield { result: at, cursor: `c${at + 1}` };
        }
      } finally {
        closed = true;
      }
    });
    expect(await runItem(item("a"), run)).toMatchObject({ end: "stopped", pages: 3 });
    expect(output).toHaveLength(3);
    expect(closed).toBe(true);
  });

  it("throws what keeps the output from being written, and hands the task a signal aborted with hard", async () => {
    const broken = {
      append: async () => {
        throw new OutputWriteError("out.ndjson", new Error("ENOSPC"));
      },
    };
    const { run } = contextOf(async () => 1, { output: broken });
    await expect(runItem(item("a"), run)).rejects.toSatisfy(isOutputWriteError);

    let signal: AbortSignal | undefined;
    const { run: waiting, hard } = contextOf(async (_: string, context: TaskContext) => {
      signal = context.signal;
      hard.abort(new Error("drain over"));
      return 1;
    });
    await runItem(item("b"), waiting);
    expect(signal?.reason).toEqual(new Error("drain over"));
  });
});
