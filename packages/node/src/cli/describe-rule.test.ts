import { concurrency, fixedWindow, slidingWindow, tokenBucket } from "@sluice/core";
import { parseRuleId } from "@sluice/core/adapter";
import { describe, expect, it } from "vitest";
import { describeRule } from "./describe-rule.js";

describe("describeRule", () => {
  it.each([
    [tokenBucket({ rate: 11, per: "1s" }), "tokenBucket 11 per 1 s, burst 11"],
    [tokenBucket({ rate: 0.5, per: "1s" }), "tokenBucket 1 per 2 s, burst 1"],
    [tokenBucket({ rate: 100, per: "1m", burst: 5 }), "tokenBucket 1.67 per 1 s, burst 5"],
    [slidingWindow({ limit: 100, window: "1s" }), "slidingWindow 100 per 1 s"],
    [slidingWindow({ limit: 1_000_000, window: "1d" }), "slidingWindow 1000000 per 1 d, 100 buckets"],
    [fixedWindow({ limit: 1000, window: "1h" }), "fixedWindow 1000 per 1 h"],
    [fixedWindow({ limit: 10, window: "1d", align: "8h" }), "fixedWindow 10 per 1 d, aligned +8 h"],
    [concurrency({ limit: 20 }), "concurrency 20"],
  ])("writes the rule a key names in words: %s", (rule, words) => {
    const spec = parseRuleId(rule.id);
    expect(spec).toBeDefined();
    expect(describeRule(spec as NonNullable<typeof spec>)).toBe(words);
  });
});
