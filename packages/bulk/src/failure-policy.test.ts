import { describe, expect, it } from "vitest";
import { OutputWriteError } from "./errors/output-write-error.js";
import { failureVerdict } from "./failure-policy.js";
import { UnwritableResultError } from "./lines.js";

const retry = { limit: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
const half = (): number => 0.5;
const failure = (error: unknown, attempt = 1, stopping = false) => ({ error, attempt, stopping });

describe("failureVerdict", () => {
  it("retries after a full-jitter backoff that doubles with each attempt, up to maxDelay", () => {
    const error = new Error("connection reset");
    expect(failureVerdict(failure(error, 1), retry, undefined, half)).toEqual({ kind: "retry", delayMs: 500 });
    expect(failureVerdict(failure(error, 3), retry, undefined, half)).toEqual({ kind: "retry", delayMs: 2000 });
    expect(failureVerdict(failure(error, 3), { ...retry, maxDelayMs: 1500 }, undefined, half)).toEqual({
      kind: "retry",
      delayMs: 750,
    });
  });

  it("waits at least an error's retryAfterMs, even past maxDelay", () => {
    const error = Object.assign(new Error("slow down"), { retryAfterMs: 45_000 });
    expect(failureVerdict(failure(error), retry, undefined, half)).toEqual({ kind: "retry", delayMs: 45_000 });
    const short = Object.assign(new Error("slow down"), { retryAfterMs: 10 });
    expect(failureVerdict(failure(short), retry, undefined, half)).toEqual({ kind: "retry", delayMs: 500 });
    const odd = Object.assign(new Error("slow down"), { retryAfterMs: "soon" });
    expect(failureVerdict(failure(odd), retry, undefined, half)).toEqual({ kind: "retry", delayMs: 500 });
  });

  it("fails past the limit, for an error retryable refuses, and for a result that cannot be written", () => {
    const error = new Error("no");
    expect(failureVerdict(failure(error, 4), retry, undefined)).toEqual({ kind: "fail" });
    expect(failureVerdict(failure(error, 1), { ...retry, limit: 0 }, undefined)).toEqual({ kind: "fail" });
    expect(failureVerdict(failure(error), retry, () => false)).toEqual({ kind: "fail" });
    expect(failureVerdict(failure(new UnwritableResultError("cyclic")), retry, () => true)).toEqual({ kind: "fail" });
  });

  it("does not ask retryable about an error past the limit", () => {
    let asked = 0;
    failureVerdict(failure(new Error("no"), 4), retry, () => ++asked > 0);
    expect(asked).toBe(0);
  });

  it("leaves an item for the next run when the run is stopping, and ends the run when the output fails", () => {
    expect(failureVerdict(failure(new Error("aborted"), 1, true), retry, undefined)).toEqual({ kind: "stop" });
    const disk = new OutputWriteError("out.ndjson", new Error("ENOSPC"));
    expect(failureVerdict(failure(disk, 1, true), retry, undefined)).toEqual({ kind: "throw" });
  });
});
