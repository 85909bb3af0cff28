import { describe, expect, it } from "vitest";
import { isAsyncIterable, iteratorOf } from "./iterables.js";

describe("iteratorOf", () => {
  it("pulls arrays, generators and async generators alike", async () => {
    async function* letters() {
      yield "a";
      yield "b";
    }
    function* numbers() {
      yield 1;
    }
    for (const [inputs, values] of [
      [
        ["x", "y"],
        ["x", "y"],
      ],
      [numbers(), [1]],
      [letters(), ["a", "b"]],
    ] as const) {
      const iterator = iteratorOf<unknown>(inputs);
      const seen: unknown[] = [];
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) seen.push(step.value);
      expect(seen).toEqual(values);
    }
  });

  it("closes a sync generator left midway", async () => {
    let closed = false;
    function* endless() {
      try {
        for (;;) yield 1;
      } finally {
        closed = true;
      }
    }
    const iterator = iteratorOf(endless());
    await iterator.next();
    await iterator.return?.();
    expect(closed).toBe(true);
  });

  it("tells async iterables apart", () => {
    expect(isAsyncIterable((async function* () {})())).toBe(true);
    expect(isAsyncIterable([1])).toBe(false);
    expect(isAsyncIterable(null)).toBe(false);
  });
});
