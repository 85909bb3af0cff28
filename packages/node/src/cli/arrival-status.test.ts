import { describe, expect, it } from "vitest";
import { arrivalStatus } from "./arrival-status.js";

const saved = { m: "50000", e: "750", l: "1700000000900000", g: "1700000000500123", s: "1700000000000000" };

describe("arrivalStatus", () => {
  it("reads the margin and lateness in ms, the share as a fraction, times as epoch ms", () => {
    expect(arrivalStatus({ ...saved, p: "31250", pt: "1700000000400999" })).toEqual({
      marginMs: 50,
      share: 0.75,
      latenessMs: 31.25,
      latenessAt: 1_700_000_000_400,
      changedAt: 1_700_000_000_500,
      steppedBackAt: 1_700_000_000_000,
    });
  });

  it("no lateness reported: 0 ms, at null", () => {
    expect(arrivalStatus({ ...saved, p: "0", pt: "0" })).toMatchObject({ latenessMs: 0, latenessAt: null });
  });

  it.each<{ what: string; hash: Record<string, string> }>([
    { what: "a field missing", hash: { ...saved, p: "0" } },
    { what: "a field not an integer", hash: { ...saved, p: "0", pt: "1.5" } },
    { what: "beyond a safe integer", hash: { ...saved, p: "0", pt: "99999999999999999999" } },
    { what: "another hash", hash: { count: "3" } },
  ])("is undefined for $what", ({ hash }) => {
    expect(arrivalStatus(hash)).toBeUndefined();
  });
});
