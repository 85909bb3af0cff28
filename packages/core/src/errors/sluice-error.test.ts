import { describe, expect, it } from "vitest";
import type { Decision } from "../decision.js";
import { CostExceedsCapacityError, isCostExceedsCapacityError } from "./cost-exceeds-capacity-error.js";
import { isQuotaExceededError, QuotaExceededError } from "./quota-exceeded-error.js";
import { isSluiceError, SluiceError } from "./sluice-error.js";
import { isStoreUnavailableError, StoreUnavailableError } from "./store-unavailable-error.js";

/** What another copy of the package (its ESM build beside this CJS one) throws: same fields, another class. */
const foreign = (name: string, code: string): Error => Object.assign(new Error("x"), { name, code });

const decision = { allowed: false, retryAfterMs: 5 } as Decision;

const guards = [
  ["QuotaExceededError", "QUOTA_EXCEEDED", isQuotaExceededError, () => new QuotaExceededError("q", decision)],
  [
    "CostExceedsCapacityError",
    "COST_EXCEEDS_CAPACITY",
    isCostExceedsCapacityError,
    () => new CostExceedsCapacityError(5, 3, "tokenBucket"),
  ],
  ["StoreUnavailableError", "STORE_UNAVAILABLE", isStoreUnavailableError, () => new StoreUnavailableError("down")],
] as const;

describe.each(guards)("%s's guard", (name, code, guard, make) => {
  it("recognises this copy's error, and so does isSluiceError", () => {
    expect(guard(make())).toBe(true);
    expect(isSluiceError(make())).toBe(true);
  });

  it("recognises an error of another copy of the class by its code and name", () => {
    const other = foreign(name, code);
    expect(other instanceof SluiceError).toBe(false);
    expect(guard(other)).toBe(true);
    expect(isSluiceError(other)).toBe(true);
  });

  it("refuses a plain Error with another code, the code under another name, and non-errors", () => {
    expect(guard(foreign(name, "ECONNREFUSED"))).toBe(false);
    expect(guard(foreign("Error", code))).toBe(false);
    expect(guard(new Error(code))).toBe(false);
    expect(guard({ name, code, message: "x" })).toBe(false);
    expect(guard(undefined)).toBe(false);
  });
});

describe("isSluiceError", () => {
  it("knows the codes of the sibling packages' errors", () => {
    expect(isSluiceError(foreign("RequestTimeoutError", "REQUEST_TIMEOUT"))).toBe(true);
    expect(isSluiceError(foreign("RunLockedError", "BULK_RUN_LOCKED"))).toBe(true);
  });

  it("refuses an error with a code Sluice does not use", () => {
    expect(isSluiceError(foreign("Error", "ECONNREFUSED"))).toBe(false);
    expect(isSluiceError(new Error("QUOTA_EXCEEDED"))).toBe(false);
    expect(isSluiceError({ name: "QuotaExceededError", code: "QUOTA_EXCEEDED" })).toBe(false);
  });
});

describe("two loaded copies of one error module", () => {
  it("each guard recognises the other copy's error, though instanceof does not", async () => {
    // A query makes the module loader evaluate the file again: a second class, as a dual package has.
    const path = "./quota-exceeded-error.js?second-copy";
    const copy = (await import(/* @vite-ignore */ path)) as typeof import("./quota-exceeded-error.js");
    expect(copy.QuotaExceededError).not.toBe(QuotaExceededError);
    const theirs = new copy.QuotaExceededError("q", decision);
    const ours = new QuotaExceededError("q", decision);
    expect(theirs instanceof QuotaExceededError).toBe(false);
    expect(isQuotaExceededError(theirs)).toBe(true);
    expect(copy.isQuotaExceededError(ours)).toBe(true);
  });
});
