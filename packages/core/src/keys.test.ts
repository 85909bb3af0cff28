import { describe, expect, it } from "vitest";
import { checkPrefix, quotaKeys } from "./keys.js";
import { tokenBucket } from "./rules/token-bucket.js";

const tagOf = (key: string): string => {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  return key.slice(open + 1, close);
};

describe("quotaKeys", () => {
  const rule = tokenBucket({ rate: 1 });

  it("puts every key of a quota under one hash tag", () => {
    const keys = quotaKeys("app", "tiktok", [rule]);
    expect(keys).toEqual({
      base: "app:{tiktok}:",
      pause: "app:{tiktok}:pause",
      limits: ["app:{tiktok}:tb:1000000:1"],
      events: "app:{tiktok}:events",
    });
  });

  it.each(["a}b", "{x}", "a{b", "%7D", "with space\nand newline", "ünïcødé 🚦", "x".repeat(10_000)])(
    "keeps name %j inside its own tag, distinct from every other name",
    (name) => {
      const { pause } = quotaKeys("app", name, [rule]);
      expect(decodeURIComponent(tagOf(pause))).toBe(name);
    },
  );

  it("never maps two names to the same key", () => {
    const names = ["a}b", "a%7Db", "a", "{a}", "%7Ba%7D"];
    const pauses = names.map((n) => quotaKeys("p", n, []).pause);
    expect(new Set(pauses).size).toBe(names.length);
  });

  it("rejects a prefix that would carry its own hash tag", () => {
    expect(() => checkPrefix("a{b}")).toThrow("Expected `prefix` to be a non-empty string without `{` or `}`");
    expect(() => checkPrefix("")).toThrow(TypeError);
  });
});
