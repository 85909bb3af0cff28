import { describe, expect, it } from "vitest";
import { concurrency } from "./concurrency.js";
import { fixedWindow } from "./fixed-window.js";
import { slidingWindow } from "./sliding-window.js";
import { tokenBucket } from "./token-bucket.js";

describe("rule factories", () => {
  it("turn readable options into the scripts' integers", () => {
    expect(tokenBucket({ rate: 11, per: "1s" }).wire).toEqual(["tb", 90910, 11, 0]);
    expect(slidingWindow({ limit: 100, window: "1s" }).wire).toEqual(["sw", 100, 1_000_000, 0]);
    expect(slidingWindow({ limit: 1_000_000, window: "1d" }).wire).toEqual([
      "swb",
      1_000_000,
      86_400_000_000,
      864_000_000,
    ]);
    expect(fixedWindow({ limit: 1000, window: "1h", align: "90m" }).wire).toEqual([
      "fw",
      1000,
      3_600_000_000,
      1_800_000_000,
    ]);
    expect(concurrency({ limit: 20, lease: "30s" }).wire).toEqual(["cc", 20, 30_000_000, 0]);
  });

  it("check buckets only where they are used", () => {
    expect(slidingWindow({ limit: 5, window: 1 }).precision).toBe("exact");
    expect(slidingWindow({ limit: 5000, window: "50ms" }).buckets).toBe(50);
    expect(() => slidingWindow({ limit: 5, window: "1s", buckets: 1 })).toThrow(
      "Expected `buckets` to be an integer from 2 to 1000",
    );
  });

  it("round a token bucket's interval up, never faster than asked", () => {
    const [, interval] = tokenBucket({ rate: 3, per: "1s" }).wire;
    expect(interval * 3).toBeGreaterThanOrEqual(1_000_000);
  });

  it.each([
    [() => tokenBucket({ rate: 0 }), "Expected `rate` to be a finite number > 0"],
    [() => tokenBucket({ rate: Number.NaN }), "got `NaN` (number)"],
    [() => tokenBucket({ rate: 1, burst: 1.5 }), "Expected `burst` to be an integer >= 1, got `1.5` (number)"],
    [() => slidingWindow({ limit: -1, window: "1s" }), "Expected `limit` to be an integer >= 1, got `-1` (number)"],
    [() => slidingWindow({ limit: 1, window: "2y" as never }), "Expected `window` to be a duration"],
    [() => slidingWindow({ limit: 1, window: 0.5 }), "Expected `window` to be a duration"],
    [() => slidingWindow({ limit: 10, window: "1s", precision: "fuzzy" as never }), "Expected `precision`"],
    [() => fixedWindow({ limit: 1, window: "1h", align: "-1h" }), "Expected `align` to be a duration"],
    [() => concurrency({ limit: Number.POSITIVE_INFINITY }), "Expected `limit` to be an integer >= 1, got `Infinity`"],
    [() => tokenBucket(undefined as never), "Expected `tokenBucket options` to be an options object"],
  ])("reject bad input: %s", (make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });
});

describe("rule names", () => {
  it("keep equal limits apart and read well", () => {
    const info = slidingWindow({ limit: 10, window: "1m", name: "user-info" });
    const list = slidingWindow({ limit: 10, window: "1m", name: "video list" });
    expect(info.id).toBe("sw:10:60000000#user-info");
    expect(list.id).toBe("sw:10:60000000#video%20list");
    expect(info.label).toBe('slidingWindow(10 per 60000 ms) "user-info"');
    expect(() => tokenBucket({ rate: 1, name: "" })).toThrow("Expected `name` to be a string of 1 to 200 characters");
  });
});
