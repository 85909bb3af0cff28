import { describe, expect, it } from "vitest";
import { checkRules } from "./check-rules.js";
import { concurrency } from "./concurrency.js";
import type { Rule } from "./rule.js";
import { slidingWindow } from "./sliding-window.js";
import { tokenBucket } from "./token-bucket.js";

describe("checkRules", () => {
  const rules: Rule[] = [tokenBucket({ rate: 5 }), concurrency({ limit: 2 })];

  it("gives a frozen copy, the same one while the array keeps its rules", () => {
    const checked = checkRules("limits", rules);
    expect(checked).toEqual(rules);
    expect(Object.isFrozen(checked)).toBe(true);
    expect(checkRules("limits", rules)).toBe(checked);
    const changed = [...rules];
    checkRules("limits", changed);
    changed.push(slidingWindow({ limit: 5, window: "1s" }));
    expect(checkRules("limits", changed)).toHaveLength(3);
  });

  it("says that an empty list is empty", () => {
    expect(() => checkRules("routes[0].limits", [])).toThrow(
      new TypeError(
        "Expected `routes[0].limits` to be a non-empty array of rules (tokenBucket, slidingWindow, fixedWindow, concurrency), got `[]` (an empty array)",
      ),
    );
    expect(checkRules("routes[0].limits", [], true)).toEqual([]);
  });

  it.each([
    ["x", "Expected `limits` to be a non-empty array of rules", 'got `"x"` (string)'],
    [[rules[0], {}], "Expected `limits[1]` to be a rule made by tokenBucket", "got `[object Object]` (object)"],
    [[rules[0], null], "Expected `limits[1]` to be a rule made by", "got `null`"],
    [
      [rules[0], rules[1], rules[0]],
      "Expected `limits[2]` to be a rule that differs from the ones before it",
      "tokenBucket(5 per",
    ],
  ])("names the option and the value: %j", (limits, expected, got) => {
    expect(() => checkRules("limits", limits)).toThrow(TypeError);
    expect(() => checkRules("limits", limits)).toThrow(expected);
    expect(() => checkRules("limits", limits)).toThrow(got);
  });
});
