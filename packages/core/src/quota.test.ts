import { describe, expect, it } from "vitest";
import { createMemoryLimiter } from "./limiter.js";
import { tokenBucket } from "./rules/token-bucket.js";

const limits = [tokenBucket({ rate: 100 })];

describe("the bounds of a quota (maxWait, maxLateness)", () => {
  const limiter = createMemoryLimiter();
  let n = 0;
  const quota = (maxLateness?: unknown) =>
    limiter.quota(`q${++n}`, { limits, ...(maxLateness === undefined ? {} : { maxLateness: maxLateness as never }) });

  it("maxWait takes 0, a duration up to 366 days, or Infinity", async () => {
    const q = quota();
    for (const maxWait of [0, "0ms", 250, "1s", "366d", Number.POSITIVE_INFINITY] as const) {
      await expect(q.acquire({ maxWait })).resolves.toMatchObject({ allowed: true });
    }
  });

  it.each([-1, Number.NEGATIVE_INFINITY, Number.NaN, "367d", "1M", "soon"])(
    "maxWait %j is refused with a message that says exactly what is accepted",
    async (maxWait) => {
      await expect(quota().acquire({ maxWait: maxWait as never })).rejects.toThrow(
        /^Expected `maxWait` to be a duration from 0 ms to 366 days, or Infinity \(milliseconds, or a number and a unit ms, s, m, h or d: .*\), got `.*` \((number|string)\)$/,
      );
    },
  );

  it("maxLateness takes a duration from 1 ms, or Infinity, and says so", () => {
    expect(() => quota(Number.POSITIVE_INFINITY)).not.toThrow();
    expect(() => quota("20ms")).not.toThrow();
    for (const maxLateness of [0, -1, "1M"]) {
      expect(() => quota(maxLateness)).toThrow(
        /^Expected `maxLateness` to be a duration from 1 ms to 366 days, or Infinity \(/,
      );
    }
  });
});
