import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { MAX_SERVER_WAIT_MS } from "./cap-wait.js";
import { parseRetryAfter } from "./parse-retry-after.js";

const NOW = Date.parse("2026-10-21T07:27:00Z");

describe("parseRetryAfter", () => {
  it("reads delta-seconds, tolerating fractions and spaces", () => {
    expect(parseRetryAfter("120", null, NOW)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", null, NOW)).toBe(0);
    expect(parseRetryAfter("1.5", null, NOW)).toBe(1500);
  });

  it("reads an HTTP-date relative to the Date header when there is one", () => {
    const at = "Wed, 21 Oct 2026 07:28:00 GMT";
    expect(parseRetryAfter(at, "Wed, 21 Oct 2026 07:27:30 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter(at, null, NOW)).toBe(60_000);
    expect(parseRetryAfter(at, "not a date", NOW)).toBe(60_000);
  });

  it("reads the obsolete RFC 850 and asctime forms", () => {
    expect(parseRetryAfter("Wednesday, 21-Oct-26 07:28:00 GMT", null, NOW)).toBe(60_000);
    expect(parseRetryAfter("Wed Oct 21 07:28:00 2026", null, NOW)).toBe(60_000);
  });

  it("gives 0 for a date in the past and caps absurd waits", () => {
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", null, NOW)).toBe(0);
    expect(parseRetryAfter("99999999999999999999", null, NOW)).toBe(MAX_SERVER_WAIT_MS);
  });

  it("rejects what is neither form", () => {
    for (const value of [null, undefined, "", "-1", "1e3", "soon", "0x10", "Infinity", "2026-10-21", "1, 2"]) {
      expect(parseRetryAfter(value, null, NOW)).toBeUndefined();
    }
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^\d{0,25}(\.\d{0,5})?$/),
          fc.date().map((d) => d.toUTCString()),
        ),
        fc.option(
          fc.oneof(
            fc.string(),
            fc.date().map((d) => d.toUTCString()),
          ),
        ),
        fc.integer({ min: 0, max: 8.64e15 }),
        (value, date, now) => expectSaneWait(parseRetryAfter(value, date, now)),
      ),
      { numRuns: 2000 },
    );
  });
});
