import { describe, expect, it } from "vitest";
import { callSignal, timeoutMsOf } from "./call-signal.js";
import { isRequestTimeoutError } from "./errors/request-timeout-error.js";

describe("callSignal", () => {
  it("follows the caller's signal", () => {
    const caller = new AbortController();
    const { signal } = callSignal(caller.signal, 10_000);
    caller.abort("bye");
    expect(signal.reason).toBe("bye");
  });

  it("aborts with RequestTimeoutError after the timeout, unless done", async () => {
    const timed = callSignal(new AbortController().signal, 5);
    await new Promise((resolve) => timed.signal.addEventListener("abort", resolve));
    expect(isRequestTimeoutError(timed.signal.reason)).toBe(true);

    const disarmed = callSignal(new AbortController().signal, 5);
    disarmed.done();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(disarmed.signal.aborted).toBe(false);
  });

  it("reads the timeout option up to the longest delay a timer holds, and refuses longer", () => {
    expect(timeoutMsOf(undefined)).toBeUndefined();
    expect(timeoutMsOf(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(timeoutMsOf("30s")).toBe(30_000);
    expect(timeoutMsOf(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    // setTimeout fires at once past 2^31 - 1 ms: a 30-day timeout would abort every call.
    expect(() => timeoutMsOf("30d")).toThrow(
      "Expected `timeout` to be a duration from 1 ms to 2147483647 ms (milliseconds, or a number and a unit",
    );
    expect(() => timeoutMsOf(2 ** 31)).toThrow(TypeError);
    expect(() => timeoutMsOf(0)).toThrow("Expected `timeout` to be a duration from 1 ms");
  });
});
