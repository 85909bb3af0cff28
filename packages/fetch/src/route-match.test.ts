import { describe, expect, it } from "vitest";
import { compileMatch } from "./route-match.js";

const test = (match: Parameters<typeof compileMatch>[1], url: string, method = "GET") =>
  compileMatch("match", match)(new URL(url), method);

describe("compileMatch", () => {
  it("treats a string as a normalised URL prefix", () => {
    expect(test("https://api.example.com", "https://api.example.com/v2/items/1")).toBe(true);
    expect(test("https://api.example.com", "https://api.example.com.evil.test/")).toBe(false);
    expect(test("https://API.example.com/v2/", "https://api.example.com/v2/x")).toBe(true);
    expect(test("https://api.example.com/v2/", "https://api.example.com/v1/x")).toBe(false);
  });

  it("matches host, path and method together", () => {
    const match = { host: "*.example.com", path: "/v2/**", method: ["get", "HEAD"] };
    expect(test(match, "https://api.example.com/v2/a/b")).toBe(true);
    expect(test(match, "https://api.example.com/v2/a/b", "POST")).toBe(false);
    expect(test(match, "https://example.org/v2/a")).toBe(false);
    expect(test({ path: "/v2/*" }, "https://x.test/v2/a?q=/b")).toBe(true);
  });

  it("compares the port only when the host pattern has one", () => {
    expect(test({ host: "localhost" }, "http://localhost:8080/")).toBe(true);
    expect(test({ host: "localhost:8080" }, "http://localhost:8080/")).toBe(true);
    expect(test({ host: "localhost:9090" }, "http://localhost:8080/")).toBe(false);
  });

  it("rejects malformed matches with TypeErrors naming the option", () => {
    expect(() => compileMatch("routes[2].match", "/relative")).toThrow(/`routes\[2\]\.match`/);
    expect(() => compileMatch("m", 42 as never)).toThrow("Expected `m` to be a URL prefix string or an object");
    expect(() => compileMatch("m", { host: "a/b" })).toThrow("Expected `m.host`");
    expect(() => compileMatch("m", { method: "GET POST" })).toThrow("Expected `m.method`");
  });
});
