import { describe, expect, it } from "vitest";
import { attemptFacts, type Call, discard } from "./fetch-call.js";

const call = (method: string, replayable: boolean): Call =>
  ({ method, prepared: { replayable }, plan: { groups: [], pool: undefined } }) as unknown as Call;

describe("attemptFacts", () => {
  it("gives the policy the retries so far, the time since the start, and what makes a repeat safe", () => {
    const facts = attemptFacts(call("POST", false), { startedAt: performance.now() - 50, retries: 2 });
    expect(facts).toMatchObject({ retries: 2, replayable: false, idempotent: false });
    expect(facts.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(attemptFacts(call("put", true), { startedAt: performance.now(), retries: 0 })).toMatchObject({
      replayable: true,
      idempotent: true,
    });
  });
});

describe("discard", () => {
  it("cancels an unread body, and takes an answer without one", async () => {
    let cancelled = false;
    const body = new ReadableStream({
      cancel: () => {
        cancelled = true;
      },
    });
    discard(new Response(body));
    await expect.poll(() => cancelled).toBe(true);
    expect(() => discard(new Response(null, { status: 204 }))).not.toThrow();
  });
});
