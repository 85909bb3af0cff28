import { describe, expect, it } from "vitest";
import { callKey, decodeAcquire, encodeAcquire, replyTimes } from "./acquire-wire.js";
import { quotaKeys } from "./keys.js";
import { tokenBucket } from "./rules/token-bucket.js";

const rules = [tokenBucket({ rate: 10, burst: 2 })];
const keys = quotaKeys("p", "q", rules);
const quotas = [{ keys, rules, requests: [{ id: "job-1", cost: 1, maxWaitUs: 0, headroomPerMille: 0 }] }];
// Redis time, then the request: code (admitted, blocking 0: 4 * 1 + 1), wait, remaining, reset after now.
const decided = [1_000_000, 5, 0, 1, 100_000];

describe("the acquire wire", () => {
  it("names a call after its first request id, in its quota's slot", () => {
    expect(callKey(keys, "job-1")).toBe("p:{q}:call:job-1");
    expect(encodeAcquire(quotas).keys[0]).toBe(callKey(keys, "job-1"));
  });

  it("tells a remembered reply by the Redis time appended to it", () => {
    expect(replyTimes(decided, quotas)).toEqual({ decidedUs: 1_000_000, answeredUs: 1_000_000, remembered: false });
    expect(replyTimes([...decided, 7_000_000], quotas)).toEqual({
      decidedUs: 1_000_000,
      answeredUs: 7_000_000,
      remembered: true,
    });
    expect(replyTimes("ERR", quotas)).toBeUndefined();
  });

  it("decodes a remembered reply as the first decision, marked replayed only when asked", () => {
    const [[fresh]] = decodeAcquire(decided, quotas, 9) as [[object]];
    const [[again]] = decodeAcquire([...decided, 7_000_000], quotas, 9, true) as [[object]];
    expect(fresh).toEqual({
      admitted: true,
      waitUs: 0,
      nowUs: 1_000_000,
      blocking: 0,
      queueable: true,
      limits: [{ remaining: 1, resetUs: 1_100_000 }],
      arrival: undefined,
      localNowUs: 9,
    });
    expect(fresh).not.toHaveProperty("replayed");
    expect(again).toEqual({ ...fresh, replayed: true });
    expect(() => decodeAcquire([...decided, 7, 8], quotas, 9)).toThrow(/Unexpected reply from the acquire script/);
  });
});
