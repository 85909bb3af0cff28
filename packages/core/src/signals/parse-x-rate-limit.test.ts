import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { parseXRateLimit, resetToWait } from "./parse-x-rate-limit.js";

const NOW = 1_800_000_000_000;

describe("resetToWait", () => {
  it("decides the unit by magnitude", () => {
    expect(resetToWait(30, null, NOW)).toBe(30_000);
    expect(resetToWait(1_800_000_045, null, NOW)).toBe(45_000);
    expect(resetToWait(1_800_000_000_250, null, NOW)).toBe(250);
    expect(resetToWait(1_700_000_000, null, NOW)).toBe(0);
  });

  it("measures epochs from the Date header when present", () => {
    const date = new Date(NOW - 10_000).toUTCString();
    expect(resetToWait(1_800_000_000, date, NOW)).toBe(10_000);
  });
});

describe("parseXRateLimit", () => {
  it("reads the GitHub/TikTok spelling", () => {
    const headers = new Headers({
      "x-ratelimit-limit": "100",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "30",
    });
    expect(parseXRateLimit(headers, NOW)).toEqual({ limit: 100, remaining: 0, resetAfterMs: 30_000 });
  });

  it("reads the X-Rate-Limit-* and RateLimit-* spellings", () => {
    const twitter = new Headers({ "x-rate-limit-remaining": "3", "x-rate-limit-reset": "1800000060" });
    expect(parseXRateLimit(twitter, NOW)).toEqual({ limit: undefined, remaining: 3, resetAfterMs: 60_000 });
    const draft = new Headers({ "ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "5" });
    expect(parseXRateLimit(draft, NOW)).toEqual({ limit: 10, remaining: 0, resetAfterMs: 5000 });
  });

  it("leaves garbage undefined", () => {
    const headers = new Headers({
      "x-ratelimit-limit": "lots",
      "x-ratelimit-remaining": "-1",
      "x-ratelimit-reset": "",
    });
    expect(parseXRateLimit(headers, NOW)).toEqual({ limit: undefined, remaining: undefined, resetAfterMs: undefined });
    expect(parseXRateLimit(new Headers(), NOW).resetAfterMs).toBeUndefined();
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    const value = fc.oneof(fc.string(), fc.stringMatching(/^\d{0,20}(\.\d{0,4})?$/), fc.nat().map(String));
    fc.assert(
      fc.property(
        fc.constantFrom("x-ratelimit-", "x-rate-limit-", "ratelimit-"),
        value,
        value,
        fc.option(fc.date().map((d) => d.toUTCString())),
        fc.integer({ min: 0, max: 8.64e15 }),
        (prefix, remaining, reset, date, now) => {
          const headers = new Headers();
          const set = (name: string, v: string): void => {
            try {
              headers.set(name, v);
            } catch {
              // Not a valid header value: no server could send it.
            }
          };
          set(`${prefix}remaining`, remaining);
          set(`${prefix}reset`, reset);
          if (date !== null) set("date", date);
          expectSaneWait(parseXRateLimit(headers, now).resetAfterMs);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
