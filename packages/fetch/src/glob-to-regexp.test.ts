import { describe, expect, it } from "vitest";
import { globToRegExp } from "./glob-to-regexp.js";

describe("globToRegExp", () => {
  it("matches * within a segment and ** across segments", () => {
    expect(globToRegExp("/v2/items/*").test("/v2/items/1")).toBe(true);
    expect(globToRegExp("/v2/items/*").test("/v2/items/1/tags")).toBe(false);
    expect(globToRegExp("/v2/**").test("/v2/items/1/tags")).toBe(true);
    expect(globToRegExp("/users/*/posts").test("/users/ann/posts")).toBe(true);
  });

  it("takes every other character literally and matches the whole string", () => {
    expect(globToRegExp("/a.b(c)+").test("/a.b(c)+")).toBe(true);
    expect(globToRegExp("/a.b").test("/axb")).toBe(false);
    expect(globToRegExp("/a").test("/ab")).toBe(false);
    expect(globToRegExp("*.example.com", "i").test("API.example.com")).toBe(true);
  });
});
