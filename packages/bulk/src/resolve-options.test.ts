import { describe, expect, it } from "vitest";
import type { BulkOptions } from "./options.js";
import { defaultFailuresPath, resolveBulkOptions } from "./resolve-options.js";

const base: BulkOptions<number, number> = { inputs: [1, 2], key: String, task: async (n) => n, output: "out.ndjson" };

describe("resolveBulkOptions", () => {
  it("fills in the defaults", () => {
    expect(resolveBulkOptions({ ...base, progress: false })).toMatchObject({
      failures: "out.failures.ndjson",
      quota: undefined,
      cost: 1,
      auto: false,
      concurrency: 8,
      retry: { limit: 3, baseDelayMs: 1000, maxDelayMs: 30_000 },
      retryFailed: false,
      drainMs: 10_000,
      handleSignals: false,
      progress: false,
      total: 2,
      syncIntervalMs: 1000,
    });
  });

  it("takes an option given as undefined as its default", () => {
    const fromJavaScript = { ...base, concurrency: undefined, retry: undefined, drain: undefined };
    const resolved = resolveBulkOptions(fromJavaScript as unknown as BulkOptions<number, number>);
    expect(resolved).toMatchObject({ concurrency: 8, retry: { limit: 3 }, drainMs: 10_000 });
  });

  it("reads durations as ms or strings, in the retry vocabulary of @sluice/fetch", () => {
    const resolved = resolveBulkOptions({
      ...base,
      retry: { limit: 5, baseDelay: "250ms", maxDelay: "1m" },
      drain: "2s",
      syncInterval: 0,
    });
    expect(resolved).toMatchObject({
      retry: { limit: 5, baseDelayMs: 250, maxDelayMs: 60_000 },
      drainMs: 2000,
      syncIntervalMs: 0,
    });
    expect(resolveBulkOptions({ ...base, retry: false }).retry.limit).toBe(0);
  });

  it("refuses bad options with one TypeError shape", () => {
    expect(() => resolveBulkOptions({ ...base, concurrency: 0 })).toThrow(
      "Expected `concurrency` to be an integer from 1 to 10000, got `0` (number)",
    );
    expect(() => resolveBulkOptions({ ...base, retry: { limit: -1 } })).toThrow(
      "Expected `retry.limit` to be an integer from 0 to 100, got `-1` (number)",
    );
    expect(() => resolveBulkOptions({ ...base, retry: { baseDelay: 0 } })).toThrow(
      "Expected `retry.baseDelay` to be a duration",
    );
    expect(() => resolveBulkOptions({ ...base, drain: -1 })).toThrow("Expected `drain` to be a duration from 0 ms");
    expect(() => resolveBulkOptions({ ...base, drain: "30d" })).toThrow(
      "Expected `drain` to be a duration from 0 ms to 2147483647 ms",
    );
    expect(() => resolveBulkOptions({ ...base, failures: "out.ndjson" })).toThrow(
      "Expected `failures` to be a path other than `output`",
    );
  });

  it("acquires automatically only with a quota", () => {
    const quota = { acquire: async () => ({}) } as unknown as NonNullable<BulkOptions<number, number>["quota"]>;
    expect(resolveBulkOptions({ ...base, quota }).auto).toBe(true);
    expect(resolveBulkOptions({ ...base, quota, acquire: "manual" }).auto).toBe(false);
  });
});

describe("defaultFailuresPath", () => {
  it("puts .failures before the extension", () => {
    expect(defaultFailuresPath("out/results.ndjson")).toBe("out/results.failures.ndjson");
    expect(defaultFailuresPath("results.jsonl")).toBe("results.failures.jsonl");
    expect(defaultFailuresPath("results")).toBe("results.failures.ndjson");
  });
});
