import { describe, expect, it } from "vitest";
import { releasePollMs } from "./release-poll.js";

describe("releasePollMs", () => {
  it("starts at 50 ms and doubles up to 1 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100].map(releasePollMs)).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });
});
