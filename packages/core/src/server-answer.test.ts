import { describe, expect, it } from "vitest";
import { type AnswerContext, type AnswerSignals, planAnswer, readAnswer } from "./server-answer.js";

const learning: AnswerContext = { learning: true, longestSpanMs: 1000, onExhausted: "pause" };
const signals = (over: Partial<AnswerSignals>): AnswerSignals => ({
  status: 200,
  waitMs: undefined,
  server: undefined,
  exhaustedMs: undefined,
  ...over,
});

describe("readAnswer", () => {
  it("reads Retry-After, X-RateLimit-* and 'nothing left' from fetch Headers and plain objects alike", () => {
    const headers = {
      "retry-after": "2",
      "x-ratelimit-limit": "40",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1",
    };
    const fromObject = readAnswer({ status: 429, headers });
    expect(fromObject).toEqual({ status: 429, waitMs: 2000, server: { limit: 40, remaining: 0 }, exhaustedMs: 1000 });
    expect(readAnswer({ status: 429, headers: new Headers(headers) })).toEqual(fromObject);
    // axios-style headers: arrays and numbers
    expect(readAnswer({ status: 200, headers: { "x-ratelimit-limit": 40, "x-ratelimit-remaining": ["7"] } })).toEqual(
      signals({ server: { limit: 40, remaining: 7 } }),
    );
  });

  it("an answer without headers says nothing but its status", () => {
    expect(readAnswer({ status: 503 })).toEqual(signals({ status: 503 }));
  });

  it("refuses what is not an HTTP status, naming it", () => {
    expect(() => readAnswer({ status: 99 })).toThrow("Expected `status` to be an HTTP status, 100 to 599, got `99`");
    expect(() => readAnswer(null as never)).toThrow(/`answer`/);
  });
});

describe("planAnswer", () => {
  it("learns from a 429 whose wait the schedule can cover, without a pause", () => {
    expect(planAnswer(signals({ status: 429, waitMs: 1000 }), learning)).toEqual({ kind: "learn" });
    expect(planAnswer(signals({ status: 429 }), learning)).toEqual({ kind: "learn" });
    // A server's whole-second Retry-After says nothing about a 50 ms window
    expect(planAnswer(signals({ status: 429, waitMs: 1000 }), { ...learning, longestSpanMs: 50 })).toEqual({
      kind: "learn",
    });
  });

  it("pauses for a 503, a 429 asking for more than a window, or any 429 of a quota that does not learn", () => {
    expect(planAnswer(signals({ status: 503, waitMs: 300 }), learning)).toEqual({ kind: "pause", pauseMs: 300 });
    expect(planAnswer(signals({ status: 429, waitMs: 1001 }), learning)).toEqual({ kind: "pause", pauseMs: 1001 });
    expect(planAnswer(signals({ status: 429, waitMs: 1000 }), { ...learning, learning: false })).toEqual({
      kind: "pause",
      pauseMs: 1000,
    });
  });

  it("uses other answers, tightening only when the server's Remaining is below its limit", () => {
    expect(planAnswer(signals({}), learning)).toEqual({ kind: "use", tighten: false });
    expect(planAnswer(signals({ server: { limit: 40, remaining: 12 } }), learning)).toEqual({
      kind: "use",
      tighten: true,
    });
    expect(planAnswer(signals({ server: { limit: 40, remaining: 40 } }), learning)).toEqual({
      kind: "use",
      tighten: false,
    });
  });

  it("reads 'nothing left' with a reset as exhausted, unless told to ignore it", () => {
    const spent = signals({ server: { limit: 40, remaining: 0 }, exhaustedMs: 800 });
    expect(planAnswer(spent, learning)).toEqual({ kind: "exhausted", pauseMs: 800 });
    expect(planAnswer(spent, { ...learning, onExhausted: "ignore" })).toEqual({ kind: "use", tighten: false });
  });
});
