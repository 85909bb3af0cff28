import { describe, expect, it } from "vitest";
import { worstWindow } from "./worst-window.js";

describe("worstWindow", () => {
  it("counts the fullest interval (t - window, t], whatever the order of the times", () => {
    expect(worstWindow([], 1000)).toBe(0);
    expect(worstWindow([2500, 0, 400, 999, 1000], 1000)).toBe(3);
  });

  it("leaves out a time exactly one window before", () => {
    expect(worstWindow([0, 1000, 2000], 1000)).toBe(1);
    expect(worstWindow([0, 999, 1998], 1000)).toBe(2);
  });
});
