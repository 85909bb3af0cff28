import { describe, expect, it } from "vitest";
import { isIdempotent, isRetryableNetworkError, isRetryableStatus } from "./retry-policy.js";

describe("retry policy", () => {
  it("knows the idempotent methods", () => {
    for (const m of ["GET", "head", "OPTIONS", "PUT", "DELETE"]) expect(isIdempotent(m)).toBe(true);
    for (const m of ["POST", "PATCH", "CONNECT"]) expect(isIdempotent(m)).toBe(false);
  });

  it("retries 429 and 503 always, 502 and 504 only when safe", () => {
    expect(isRetryableStatus(429, "POST", false)).toBe(true);
    expect(isRetryableStatus(503, "POST", false)).toBe(true);
    expect(isRetryableStatus(502, "POST", false)).toBe(false);
    expect(isRetryableStatus(504, "GET", false)).toBe(true);
    expect(isRetryableStatus(502, "POST", true)).toBe(true);
    expect(isRetryableStatus(500, "GET", true)).toBe(false);
    expect(isRetryableNetworkError("PATCH", false)).toBe(false);
    expect(isRetryableNetworkError("PATCH", true)).toBe(true);
  });
});
