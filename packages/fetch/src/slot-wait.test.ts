import { concurrency, createMemoryLimiter, type Decision } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { acquireTimed } from "./slot-wait.js";

describe("acquireTimed", () => {
  it("times a full concurrency limit from the store's first answer to the release, not from the call", async () => {
    const quota = createMemoryLimiter().quota("q", { limits: [concurrency({ limit: 1 })] });
    const taken = await quota.acquire();
    const answers: Decision[] = [];
    const calledAt = performance.now();
    const acquiring = acquireTimed(quota, undefined, (decision) => answers.push(decision));
    await expect.poll(() => answers.length).toBe(1);
    const answeredBy = performance.now();
    expect(answers[0]?.allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const releasedAt = performance.now();
    await quota.release(taken);
    const { grant, waitedMs } = await acquiring;
    expect(grant.allowed).toBe(true);
    expect(waitedMs).toBeGreaterThanOrEqual(releasedAt - answeredBy);
    expect(waitedMs).toBeLessThanOrEqual(performance.now() - calledAt);
    await quota.release(grant);
  });

  it("counts a free slot as no wait", async () => {
    const quota = createMemoryLimiter().quota("q", { limits: [concurrency({ limit: 1 })] });
    const { grant, waitedMs } = await acquireTimed(quota, undefined);
    // Between the store's answer and the grant only promise callbacks run.
    expect(waitedMs).toBeLessThan(1);
    await quota.release(grant);
  });
});
