import { describe, expect, it } from "vitest";
import { cacheKey } from "./cache-key.js";

describe("cacheKey", () => {
  it("is the prefix and a sha256, and never holds a credential", () => {
    const key = cacheKey("p", "GET", "https://a.test/x?q=1", new Headers({ authorization: "Bearer secret" }));
    expect(key).toMatch(/^p:[0-9a-f]{64}$/);
    expect(key).not.toContain("secret");
  });

  it("differs by method, URL (query included) and credential, not by other headers", () => {
    const url = "https://a.test/x?q=1";
    const base = cacheKey("p", "GET", url, new Headers());
    expect(cacheKey("p", "get", url, new Headers({ accept: "text/csv" }))).toBe(base);
    expect(cacheKey("p", "HEAD", url, new Headers())).not.toBe(base);
    expect(cacheKey("p", "GET", "https://a.test/x?q=2", new Headers())).not.toBe(base);
    expect(cacheKey("p", "GET", url, new Headers({ authorization: "a" }))).not.toBe(base);
    expect(cacheKey("p", "GET", url, new Headers({ cookie: "s=1" }))).not.toBe(base);
  });
});
