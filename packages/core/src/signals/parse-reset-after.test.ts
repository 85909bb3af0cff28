import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSaneWait } from "../../../../test/support/expect-sane-wait.js";
import { parseResetAfter } from "./parse-reset-after.js";

describe("parseResetAfter", () => {
  it("reads fractional seconds, rounded up to whole ms", () => {
    expect(parseResetAfter("1.25")).toBe(1250);
    expect(parseResetAfter("0.0001")).toBe(1);
    expect(parseResetAfter("64")).toBe(64_000);
  });

  it("rejects anything else", () => {
    for (const value of [null, undefined, "", "-1", "abc", "1e2", ".5"]) expect(parseResetAfter(value)).toBeUndefined();
  });

  it("never throws and returns only sane waits (fuzz)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{0,30}(\.\d{0,8})?$/)), (value) =>
        expectSaneWait(parseResetAfter(value)),
      ),
      { numRuns: 2000 },
    );
  });
});
