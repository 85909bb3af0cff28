import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { exhaustedWait } from "./exhausted-wait.js";

const NOW = 1_800_000_000_000;
const wait = (headers: Record<string, string>) => exhaustedWait(new Headers(headers), NOW);

describe("exhaustedWait", () => {
  it("reads remaining 0 with a reset in every form the parsers know", () => {
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" })).toBe(30_000);
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000045" })).toBe(45_000);
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "0.25" })).toBe(250);
    expect(wait({ "x-rate-limit-remaining": "0", "x-rate-limit-reset": "5" })).toBe(5000);
    expect(wait({ ratelimit: '"default";r=0;t=7' })).toBe(7000);
    expect(wait({ ratelimit: '"minute";r=3;t=20, "hour";r=0;t=900' })).toBe(900_000);
  });

  it("says nothing when something is left, when no reset is given, or for Retry-After alone", () => {
    expect(wait({ "x-ratelimit-remaining": "1", "x-ratelimit-reset": "30" })).toBeUndefined();
    expect(wait({ "x-ratelimit-remaining": "0" })).toBeUndefined();
    expect(wait({ "retry-after": "10" })).toBeUndefined();
    expect(wait({ ratelimit: '"default";r=2;t=7' })).toBeUndefined();
  });

  it("takes the longest when both families say the quota is spent", () => {
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3", ratelimit: '"d";r=0;t=9' })).toBe(9000);
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    const names = ["x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-reset-after", "ratelimit", "date"];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string(), fc.nat().map(String))), (raw) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(raw)) {
          try {
            headers.set(name, value);
          } catch {
            // Not a valid header value: no server could send it.
          }
        }
        expectSaneWait(exhaustedWait(headers, NOW));
      }),
      { numRuns: 1000 },
    );
  });
});
