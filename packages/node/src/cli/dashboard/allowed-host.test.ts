import { describe, expect, it } from "vitest";
import { allowedHost } from "./allowed-host.js";

describe("allowedHost", () => {
  it("bound to loopback, answers loopback names only", () => {
    for (const header of [
      "127.0.0.1:4000",
      "localhost:4000",
      "LOCALHOST",
      "[::1]:4000",
      "127.1.2.3",
      "app.localhost:1",
    ]) {
      expect(allowedHost(header, "127.0.0.1")).toBe(true);
    }
    for (const header of ["evil.example:4000", "127.0.0.1.evil.example", "[::2]:4000", "", undefined]) {
      expect(allowedHost(header, "127.0.0.1")).toBe(false);
    }
    expect(allowedHost("evil.example", "::1")).toBe(false);
    expect(allowedHost("evil.example", "localhost")).toBe(false);
  });

  it("bound elsewhere, answers any name", () => {
    expect(allowedHost("dashboards.internal:4000", "0.0.0.0")).toBe(true);
    expect(allowedHost(undefined, "10.0.0.5")).toBe(true);
  });
});
