import { tokenBucket } from "@sluice/core";
import { quotaKeys } from "@sluice/core/adapter";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseQuotaKey, scanPattern, unescapeName } from "./quota-key.js";

const rule = tokenBucket({ rate: 1 });

describe("parseQuotaKey", () => {
  it("gives back the name and suffix of every key quotaKeys makes", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: "grapheme" }), (name) => {
        const keys = quotaKeys("p:x", name, [rule]);
        for (const [key, suffix] of [
          [keys.limits[0] as string, rule.id],
          [keys.pause, "pause"],
          [keys.events, "events"],
        ]) {
          const parsed = parseQuotaKey(Buffer.from(key as string), "p:x");
          expect(parsed?.name).toBe(name);
          expect(parsed?.suffix).toBe(suffix);
        }
      }),
    );
  });

  it("groups by the escaped bytes, and reads names that look like key parts", () => {
    const a = parseQuotaKey(Buffer.from(quotaKeys("s", "odd}:pause {x}", [rule]).pause), "s");
    expect(a).toMatchObject({ name: "odd}:pause {x}", tag: "odd%7D:pause %7Bx%7D", suffix: "pause" });
    expect(unescapeName("50%257D %7B")).toBe("50%7D {");
  });

  it("keeps invalid UTF-8 apart by its bytes", () => {
    const key = (byte: number) => Buffer.concat([Buffer.from("s:{n"), Buffer.from([byte]), Buffer.from("}:pause")]);
    const [a, b] = [parseQuotaKey(key(0xff), "s"), parseQuotaKey(key(0xfe), "s")];
    expect(a?.name).toBe("n\uFFFD");
    expect(a?.tag).not.toBe(b?.tag);
  });

  it.each([
    ["s:{name}pause", "no colon after the tag"],
    ["s:{name}:", "no suffix"],
    ["s:{na{me}:pause", "a brace inside the tag"],
    ["s:x:{name}:pause", "another prefix"],
    ["sx:{name}:pause", "a longer prefix"],
  ])("ignores %s (%s)", (key) => {
    expect(parseQuotaKey(Buffer.from(key), "s")).toBeUndefined();
  });

  it("escapes glob characters of the prefix for SCAN MATCH", () => {
    expect(scanPattern("app*[1]?\\")).toBe("app\\*\\[1\\]\\?\\\\:{*");
  });
});
