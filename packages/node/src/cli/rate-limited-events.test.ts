import { describe, expect, it } from "vitest";
import { rateLimitedEvents } from "./rate-limited-events.js";

describe("rateLimitedEvents", () => {
  it("keeps the cause and the figures a 429 led to, newest first", () => {
    const entries = [
      JSON.stringify({
        type: "rate-limited",
        status: 429,
        cause: "delay-spread",
        pausedMs: 0,
        marginMs: 62.5,
        share: 1,
        at: 3,
      }),
      JSON.stringify({ type: "retry", attempt: 1, at: 2 }),
      JSON.stringify({ type: "rate-limited", status: 503, cause: "server-wait", pausedMs: 1000, at: 1 }),
      JSON.stringify({ type: "rate-limited", status: 429 }),
      "not json",
      "[1]",
    ];
    expect(rateLimitedEvents(entries, 2)).toEqual({
      count: 3,
      recent: [
        { type: "rate-limited", status: 429, cause: "delay-spread", marginMs: 62.5, share: 1, at: 3 },
        { type: "rate-limited", status: 503, cause: "server-wait", marginMs: null, share: null, at: 1 },
      ],
    });
    expect(rateLimitedEvents(entries, 5).recent[2]).toEqual({
      type: "rate-limited",
      status: 429,
      cause: null,
      marginMs: null,
      share: null,
      at: null,
    });
  });
});
