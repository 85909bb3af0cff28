import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallTimeouts } from "./call-timeouts.js";

const never = () => new Promise<never>(() => {});

describe("CallTimeouts", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes a call's answer or error through, and leaves no timer once nothing is pending", async () => {
    const timeouts = new CallTimeouts(1000, () => new Error("late"));
    const answered = timeouts.bound(Promise.resolve(7));
    const failed = timeouts.bound(Promise.reject(new Error("refused")));
    expect(vi.getTimerCount()).toBe(1);
    await expect(answered).resolves.toBe(7);
    await expect(failed).rejects.toThrow("refused");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects each call that outlives the timeout at its own deadline, with one timer", async () => {
    const timeouts = new CallTimeouts(1000, () => new Error("no answer within 1000 ms"));
    const first = timeouts.bound(never()).catch((error: Error) => ({ error, at: performance.now() }));
    await vi.advanceTimersByTimeAsync(300);
    const second = timeouts.bound(never()).catch((error: Error) => ({ error, at: performance.now() }));
    let answer!: (value: string) => void;
    const third = timeouts.bound(new Promise<string>((resolve) => (answer = resolve)));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(700);
    expect(await first).toMatchObject({ error: { message: "no answer within 1000 ms" }, at: 1000 });
    answer("in time");
    await expect(third).resolves.toBe("in time");
    await vi.advanceTimersByTimeAsync(300);
    expect(await second).toMatchObject({ at: 1300 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an answer after the timeout changes nothing: the call stays rejected", async () => {
    const timeouts = new CallTimeouts(50, () => new Error("late"));
    let answer!: (value: number) => void;
    const call = timeouts.bound(new Promise<number>((resolve) => (answer = resolve)));
    const outcome = call.then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
    await vi.advanceTimersByTimeAsync(50);
    answer(1);
    expect(await outcome).toEqual({ error: "late" });
  });

  it("keeps only pending calls when thousands settle out of order", async () => {
    const timeouts = new CallTimeouts(1000, () => new Error("late"));
    const answers: Array<() => void> = [];
    const calls = Array.from({ length: 5000 }, () =>
      timeouts.bound(new Promise<void>((resolve) => answers.push(resolve))),
    );
    // the first stays pending while the others answer, last first
    for (let i = answers.length - 1; i >= 1; i--) answers[i]?.();
    await Promise.all(calls.slice(1));
    expect(vi.getTimerCount()).toBe(1);
    const first = expect(calls[0]).rejects.toThrow("late");
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    expect(vi.getTimerCount()).toBe(0);
  });
});
