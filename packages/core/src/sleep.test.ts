import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "./sleep.js";

describe("sleep", () => {
  it("many sleeps on one signal add one listener, and an abort rejects each with its reason", async () => {
    const controller = new AbortController();
    const sleeps = Array.from({ length: 1000 }, () => sleep(60_000, controller.signal));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("stop"));
    const results = await Promise.allSettled(sleeps);
    expect(results.every((r) => r.status === "rejected" && (r.reason as Error).message === "stop")).toBe(true);
  });
});
