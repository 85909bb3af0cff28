import { describe, expect, it } from "vitest";
import { countersOf } from "./counter-hash.js";

describe("countersOf", () => {
  it("reads an HGETALL reply as a flat list or an object, skipping `last` and anything malformed", () => {
    const fields = { "12": "3", last: "99", x: "1", "13": "0", "14": "nan", "-2": "4" };
    expect([...(countersOf(fields) ?? [])]).toEqual([
      [12, 3],
      [-2, 4],
    ]);
    expect([...(countersOf(Object.entries(fields).flat()) ?? [])]).toEqual([
      [12, 3],
      [-2, 4],
    ]);
  });

  it("is undefined for a reply that is no hash", () => {
    expect(countersOf(null)).toBeUndefined();
    expect(countersOf("3")).toBeUndefined();
  });
});
