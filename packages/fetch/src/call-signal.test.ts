import { describe, expect, it } from "vitest";
import { callSignal } from "./call-signal.js";
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
});
