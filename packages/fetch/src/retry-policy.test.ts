import type { Feedback } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { isRetryAfterTooLongError } from "./errors/retry-after-too-long-error.js";
import type { ResolvedRetry } from "./resolve-options.js";
import { type AnswerFacts, asksFeedback, isIdempotent, networkErrorVerdict, responseVerdict } from "./retry-policy.js";

const retry: ResolvedRetry = {
  limit: 3,
  baseDelayMs: 300,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
  nonIdempotent: false,
};
const half = (): number => 0.5;
const answer = (status: number, facts: Partial<AnswerFacts> = {}): AnswerFacts => ({
  status,
  retries: 0,
  elapsedMs: 0,
  replayable: true,
  idempotent: true,
  otherKeyFree: undefined,
  ...facts,
});
const feedback = (pausedMs = 0, cause: Feedback["cause"] = "delay-spread"): Feedback => ({
  retry: true,
  cause,
  pausedMs,
  serverWaitMs: undefined,
  arrival: undefined,
});

describe("isIdempotent", () => {
  it("knows the idempotent methods", () => {
    for (const m of ["GET", "head", "OPTIONS", "PUT", "DELETE"]) expect(isIdempotent(m)).toBe(true);
    for (const m of ["POST", "PATCH", "CONNECT"]) expect(isIdempotent(m)).toBe(false);
  });
});

describe("responseVerdict", () => {
  it("returns answers that are not worth another attempt", () => {
    for (const status of [200, 201, 304, 400, 404, 500]) {
      expect(responseVerdict(answer(status), [feedback()], retry, half)).toEqual({ kind: "return" });
    }
    expect(responseVerdict(answer(401), [], retry, half)).toEqual({ kind: "return" });
  });

  it("quarantines a refused key, and moves to another only when one is free and the body can be resent", () => {
    expect(responseVerdict(answer(401, { otherKeyFree: true }), [], retry)).toEqual({
      kind: "quarantine",
      nextKey: true,
    });
    expect(responseVerdict(answer(403, { otherKeyFree: false }), [], retry)).toEqual({
      kind: "quarantine",
      nextKey: false,
    });
    const stream = answer(403, { otherKeyFree: true, replayable: false });
    expect(responseVerdict(stream, [], retry)).toEqual({ kind: "quarantine", nextKey: false });
    // No retry is counted, so a used-up limit does not stop the move to another key.
    expect(responseVerdict(answer(401, { otherKeyFree: true, retries: 3 }), [], retry)).toMatchObject({
      nextKey: true,
    });
  });

  it("retries 502 and 504 after the backoff only when repeating is safe", () => {
    const verdict = { kind: "retry", reason: 502, delayMs: 150, sleepMs: 150 };
    expect(responseVerdict(answer(502), [], retry, half)).toEqual(verdict);
    expect(responseVerdict(answer(504, { retries: 2 }), [], retry, half)).toMatchObject({ delayMs: 600 });
    expect(responseVerdict(answer(502, { idempotent: false }), [], retry, half)).toEqual({ kind: "return" });
    expect(responseVerdict(answer(502, { idempotent: false }), [], { ...retry, nonIdempotent: true }, half)).toEqual(
      verdict,
    );
  });

  it("retries a 429 the quotas learned from at the next slot, without a backoff of its own", () => {
    expect(responseVerdict(answer(429, { idempotent: false }), [feedback()], retry, half)).toEqual({
      kind: "retry",
      reason: 429,
      delayMs: 0,
      sleepMs: 0,
    });
  });

  it("reports a pause as the retry's delay but leaves the wait to the next acquire", () => {
    const verdict = responseVerdict(answer(503), [feedback(2000, "server-wait"), feedback()], retry, half);
    expect(verdict).toEqual({ kind: "retry", reason: 503, delayMs: 2000, sleepMs: 0 });
  });

  it("backs off first when a quota could not be told (the store failed) or none was", () => {
    expect(responseVerdict(answer(429), [feedback(), undefined], retry, half)).toEqual({
      kind: "retry",
      reason: 429,
      delayMs: 150,
      sleepMs: 150,
    });
    expect(responseVerdict(answer(503), [], retry, half)).toMatchObject({ sleepMs: 150 });
    expect(responseVerdict(answer(503), [undefined], retry, half)).toMatchObject({ delayMs: 150 });
  });

  it("throws RetryAfterTooLongError for a wait over maxDelay, whatever the retries left", () => {
    const verdict = responseVerdict(answer(503, { retries: 3 }), [feedback(60_000, "server-wait")], retry, half);
    expect(verdict.kind).toBe("throw");
    const error = verdict.kind === "throw" ? verdict.error : undefined;
    expect(isRetryAfterTooLongError(error)).toBe(true);
    expect(error).toMatchObject({ status: 503 });
  });

  it("returns the answer when the limit, maxElapsed or a stream body rules the retry out", () => {
    const learned = [feedback(1000, "server-wait")];
    expect(responseVerdict(answer(429, { retries: 3 }), learned, retry, half)).toEqual({ kind: "return" });
    expect(responseVerdict(answer(429, { elapsedMs: 119_500 }), learned, retry, half)).toEqual({ kind: "return" });
    expect(responseVerdict(answer(429, { elapsedMs: 119_000 }), learned, retry, half)).toMatchObject({ kind: "retry" });
    expect(responseVerdict(answer(503, { replayable: false }), learned, retry, half)).toEqual({ kind: "return" });
    expect(responseVerdict(answer(504, { retries: 3 }), [], retry, half)).toEqual({ kind: "return" });
    expect(responseVerdict(answer(429), learned, { ...retry, limit: 0 }, half)).toEqual({ kind: "return" });
  });
});

describe("asksFeedback", () => {
  it("asks the quotas about every answer but a refused key and a 502/504 retried on its own", () => {
    for (const status of [200, 401, 429, 500, 503]) expect(asksFeedback(answer(status), retry)).toBe(true);
    expect(asksFeedback(answer(401, { otherKeyFree: false }), retry)).toBe(false);
    expect(asksFeedback(answer(502), retry)).toBe(false);
    expect(asksFeedback(answer(504, { idempotent: false }), retry)).toBe(true);
  });
});

describe("networkErrorVerdict", () => {
  const failure = new TypeError("fetch failed");
  const facts = { retries: 1, elapsedMs: 0, replayable: true, idempotent: true };

  it("retries a fetch TypeError after the backoff when repeating is safe", () => {
    expect(networkErrorVerdict(failure, facts, retry, half)).toEqual({
      kind: "retry",
      reason: "network",
      delayMs: 300,
      sleepMs: 300,
    });
    const post = { ...facts, idempotent: false };
    expect(networkErrorVerdict(failure, post, retry, half)).toEqual({ kind: "throw", error: failure });
    expect(networkErrorVerdict(failure, post, { ...retry, nonIdempotent: true }, half)).toMatchObject({
      kind: "retry",
    });
  });

  it("throws other errors, and a network error no retry is left for", () => {
    const bug = new RangeError("bad");
    expect(networkErrorVerdict(bug, facts, retry, half)).toEqual({ kind: "throw", error: bug });
    expect(networkErrorVerdict(failure, { ...facts, retries: 3 }, retry, half)).toEqual({
      kind: "throw",
      error: failure,
    });
    expect(networkErrorVerdict(failure, { ...facts, replayable: false }, retry, half)).toMatchObject({ kind: "throw" });
  });
});
