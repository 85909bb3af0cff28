import { afterEach, describe, expect, it, vi } from "vitest";
import { StopController } from "./stop-controller.js";

const quiet = { signal: undefined, drainMs: 0, handleSignals: false, inFlight: () => 0 };

afterEach(() => {
  vi.useRealTimers();
});

describe("StopController", () => {
  it("aborts soft at a stop and hard after the drain", () => {
    vi.useFakeTimers();
    const stop = new StopController({ ...quiet, drainMs: 5000 });
    const reason = new Error("enough");
    stop.stop(reason);
    stop.stop(new Error("later"));
    expect(stop.soft.aborted).toBe(true);
    expect(stop.soft.reason).toBe(reason);
    expect(stop.hard.aborted).toBe(false);
    vi.advanceTimersByTime(4999);
    expect(stop.hard.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(stop.hard.reason).toBe(reason);
    stop.dispose();
  });

  it("aborts both at once with no drain, and follows the caller's signal, aborted or not yet", () => {
    const early = new AbortController();
    early.abort(new Error("before the start"));
    const first = new StopController({ ...quiet, signal: early.signal });
    expect(first.hard.reason).toEqual(new Error("before the start"));
    first.dispose();

    const late = new AbortController();
    const second = new StopController({ ...quiet, signal: late.signal });
    expect(second.soft.aborted).toBe(false);
    late.abort(new Error("now"));
    expect(second.soft.reason).toEqual(new Error("now"));
    second.dispose();
  });

  it("keeps the first fatal error and stops on it", () => {
    const stop = new StopController(quiet);
    expect(stop.fatal).toBeUndefined();
    const first = new Error("disk full");
    stop.fail(first);
    stop.fail(new Error("second"));
    expect(stop.fatal).toEqual({ error: first });
    expect(stop.soft.reason).toBe(first);
    stop.dispose();
  });

  it("stops on SIGINT, aborts in-flight work on a second one, and lets go of the signals", () => {
    vi.useFakeTimers();
    const said: string[] = [];
    const before = process.listenerCount("SIGINT");
    const beforeTerm = process.listenerCount("SIGTERM");
    const stop = new StopController({
      ...quiet,
      drainMs: 10_000,
      handleSignals: true,
      inFlight: () => 3,
      log: (text) => said.push(text),
    });
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    process.emit("SIGINT", "SIGINT");
    expect(stop.soft.aborted).toBe(true);
    expect(stop.hard.aborted).toBe(false);
    process.emit("SIGINT", "SIGINT");
    expect(stop.hard.reason).toEqual(new Error("Stopped by SIGINT"));
    expect(said).toEqual([
      "\nSIGINT: finishing 3 in-flight item(s) (at most 10 s); send it again to abort them.\n",
      "\nSIGINT again: aborting 3 in-flight item(s).\n",
    ]);
    stop.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
    expect(process.listenerCount("SIGTERM")).toBe(beforeTerm);
  });
});
