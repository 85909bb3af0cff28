import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { serverWait } from "./server-wait.js";

const NOW = 1_800_000_000_000;
const response = (status: number, headers: Record<string, string>) => ({ status, headers: new Headers(headers) });

describe("serverWait", () => {
  it("lets Retry-After win when headers disagree", () => {
    const res = response(429, {
      "retry-after": "2",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "60",
      ratelimit: '"d";r=0;t=30',
    });
    expect(serverWait(res, NOW)).toEqual({ waitMs: 2000, source: "retry-after" });
  });

  it("falls back to Reset-After, then RateLimit, then X-RateLimit-Reset", () => {
    const all = { "x-ratelimit-reset-after": "1.5", ratelimit: '"d";r=0;t=30', "x-ratelimit-reset": "60" };
    expect(serverWait(response(429, all), NOW)).toEqual({ waitMs: 1500, source: "x-ratelimit-reset-after" });
    const { "x-ratelimit-reset-after": _, ...rest } = all;
    expect(serverWait(response(429, rest), NOW)).toEqual({ waitMs: 30_000, source: "ratelimit" });
    expect(serverWait(response(429, { "x-ratelimit-reset": "60" }), NOW)).toEqual({
      waitMs: 60_000,
      source: "x-ratelimit-reset",
    });
  });

  it("reads reset headers only when the server says nothing is left", () => {
    expect(serverWait(response(200, { "x-ratelimit-remaining": "5", "x-ratelimit-reset": "60" }), NOW)).toBeUndefined();
    expect(serverWait(response(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "60" }), NOW)?.waitMs).toBe(
      60_000,
    );
    expect(serverWait(response(429, {}), NOW)).toBeUndefined();
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    const names = [
      "retry-after",
      "date",
      "x-ratelimit-remaining",
      "x-ratelimit-reset",
      "x-ratelimit-reset-after",
      "ratelimit",
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(200, 429, 503),
        fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string(), fc.nat().map(String))),
        (status, raw) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(raw)) {
            try {
              headers.set(name, value);
            } catch {
              // Not a valid header value: no server could send it.
            }
          }
          expectSaneWait(serverWait({ status, headers }, NOW)?.waitMs);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
