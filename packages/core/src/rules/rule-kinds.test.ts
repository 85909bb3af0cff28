import { describe, expect, it } from "vitest";
import { ARRIVAL_WIRE } from "../arrival.js";
import { allScripts } from "../generated/scripts.js";
import { concurrency } from "./concurrency.js";
import { fixedWindow } from "./fixed-window.js";
import type { Rule } from "./rule.js";
import type { RuleSpec } from "./rule-kind.js";
import { parseRuleId, ruleKindOf, ruleKinds } from "./rule-kinds.js";
import { slidingWindow } from "./sliding-window.js";
import { tokenBucket } from "./token-bucket.js";

const now = 1_000_000_000_000;
const micros = (us: number): string => `${us} µs`;

/** The use `spec`'s reads report for a key of `type` answering `replies`. */
function usage(spec: RuleSpec, type: string, replies: unknown[]) {
  const read = ruleKindOf(spec).read(spec, type, now);
  if (read === undefined) throw new Error(`no read of a ${type}`);
  return read.usage(replies);
}

describe("rule kinds", () => {
  it.each<[Rule, { size: number; leased: boolean; perSecond: number | undefined; keepsIds: boolean }]>([
    [tokenBucket({ rate: 11, per: "1s", burst: 20 }), { size: 20, leased: false, perSecond: 11, keepsIds: false }],
    [slidingWindow({ limit: 10, window: "1m" }), { size: 10, leased: false, perSecond: 1 / 6, keepsIds: true }],
    [slidingWindow({ limit: 5000, window: "1s" }), { size: 5000, leased: false, perSecond: 5000, keepsIds: false }],
    [fixedWindow({ limit: 1000, window: "1h" }), { size: 1000, leased: false, perSecond: 1 / 3.6, keepsIds: false }],
    [concurrency({ limit: 4 }), { size: 4, leased: true, perSecond: undefined, keepsIds: true }],
  ])("each factory works out what every consumer needs: %s", (rule, facts) => {
    expect(rule).toMatchObject(facts);
  });

  it.each([
    [tokenBucket({ rate: 10, per: "1s", burst: 10 }), { rate: 2.5, burst: 2 }],
    [slidingWindow({ limit: 10, window: "1s" }), { limit: 2, precision: "exact" }],
    [slidingWindow({ limit: 5000, window: "1s", buckets: 50 }), { limit: 1250, precision: "bucketed", buckets: 50 }],
    [fixedWindow({ limit: 3, window: "1h", align: "1m" }), { limit: 1, alignMs: 60_000 }],
    [concurrency({ limit: 10, lease: "5s" }), { limit: 2, leaseMs: 5000 }],
  ])("scale a rule to a share, at least one unit: %s", (rule, scaled) => {
    const share = ruleKindOf(rule).scaled(rule, 0.25);
    expect(share).toMatchObject({ kind: rule.kind, ...scaled });
  });

  it.each([
    [tokenBucket({ rate: 11 }), { kind: "tokenBucket", intervalUs: 90910, burst: 11 }],
    [
      slidingWindow({ limit: 100, window: "1s", name: "a:b" }),
      { kind: "slidingWindow", precision: "exact", limit: 100, windowUs: 1_000_000 },
    ],
    [
      slidingWindow({ limit: 1_000_000, window: "1d" }),
      {
        kind: "slidingWindow",
        precision: "bucketed",
        limit: 1_000_000,
        windowUs: 86_400_000_000,
        bucketUs: 864_000_000,
      },
    ],
    [
      fixedWindow({ limit: 10, window: "1d", align: "8h" }),
      { kind: "fixedWindow", limit: 10, windowUs: 86_400_000_000, alignUs: 28_800_000_000 },
    ],
    [concurrency({ limit: 20 }), { kind: "concurrency", limit: 20 }],
  ])("read back the ids the factories write: %s", (rule, spec) => {
    expect(parseRuleId(rule.id)).toEqual(spec);
    expect(ruleKindOf(spec as RuleSpec).kind).toBe(rule.kind);
  });

  it.each([
    "pause",
    "events",
    "arrival",
    "tb:0:1",
    "sw:1",
    "sw:1:2:3",
    "swb:1:2",
    "cc:-1",
    "fw:1:2:x",
    "zz:1:2",
    "tb:1e3:2",
    "ar:1:2:3",
  ])("refuse an id that names no rule: %s", (id) => {
    expect(parseRuleId(id)).toBeUndefined();
  });

  it("describe a rule in words, with the caller's durations", () => {
    const words = (rule: Rule) => {
      const spec = parseRuleId(rule.id) as RuleSpec;
      return ruleKindOf(spec).describe(spec, micros);
    };
    expect(words(tokenBucket({ rate: 100, per: "1m", burst: 5 }))).toBe("tokenBucket 1.67 per 1 s, burst 5");
    expect(words(tokenBucket({ rate: 0.5 }))).toBe("tokenBucket 1 per 2000000 µs, burst 1");
    expect(words(slidingWindow({ limit: 7, window: 3 }))).toBe("slidingWindow 7 per 3000 µs");
    expect(words(slidingWindow({ limit: 7, window: 30, precision: "bucketed", buckets: 3 }))).toBe(
      "slidingWindow 7 per 30000 µs, 3 buckets",
    );
    expect(words(fixedWindow({ limit: 2, window: 10, align: 4 }))).toBe("fixedWindow 2 per 10000 µs, aligned +4000 µs");
    expect(words(concurrency({ limit: 3 }))).toBe("concurrency 3");
  });

  it("every wire code is the one its Lua algorithm registers under", () => {
    const sources = allScripts.map((script) => script.source).join("\n");
    const codes = [...Object.values(ruleKinds).flatMap((kind) => kind.codes), ARRIVAL_WIRE];
    for (const code of codes) expect(sources).toContain(`algorithms.${code} = `);
    expect(new Set([...sources.matchAll(/algorithms\.(\w+) = /g)].map(([, code]) => code))).toEqual(new Set(codes));
  });
});

describe("reading a limit's state", () => {
  const tb = { kind: "tokenBucket", intervalUs: 100_000, burst: 10 } as const;

  it("token bucket: tokens from the TAT, units beyond the burst as waiting (an estimate)", () => {
    expect(ruleKindOf(tb).read(tb, "string", now)?.commands).toEqual([["GET"]]);
    expect(usage(tb, "string", [String(now - 5_000_000)])).toEqual({ limit: 10, used: 0, available: 10, waiting: 0 });
    expect(usage(tb, "string", [String(now + 350_000)])).toMatchObject({ used: 4, available: 6 });
    expect(usage(tb, "string", [String(now + 1_250_000)])).toMatchObject({ used: 10, available: 0, waiting: 3 });
    expect(usage(tb, "string", [null])).toBeUndefined();
    expect(ruleKindOf(tb).estimatesWaiting).toBe(true);
    expect(ruleKindOf(tb).read(tb, "hash", now)).toBeUndefined();
  });

  it("sliding log: in the window now, and after now", () => {
    const sw = { kind: "slidingWindow", precision: "exact", limit: 5, windowUs: 1_000_000 } as const;
    expect(ruleKindOf(sw).read(sw, "zset", now)?.commands).toEqual([
      ["ZCOUNT", `(${now - 1_000_000}`, `${now}`],
      ["ZCOUNT", `(${now}`, "+inf"],
    ]);
    expect(usage(sw, "zset", [3, 1])).toEqual({ limit: 5, used: 3, available: 1, waiting: 1 });
    expect(ruleKindOf(sw).read(sw, "hash", now)).toBeUndefined();
  });

  it("bucketed window: live buckets up to now, and buckets that start later", () => {
    const swb = { kind: "slidingWindow", precision: "bucketed", limit: 100, windowUs: 10_000, bucketUs: 1000 } as const;
    const k = now / 1000;
    // [k - 11] left the window
    const hash = [`${k - 11}`, "50", `${k - 9}`, "10", `${k}`, "5", `${k + 2}`, "7", "last", String(now)];
    expect(usage(swb, "hash", [hash])).toEqual({ limit: 100, used: 15, available: 78, waiting: 7 });
    expect(usage(swb, "hash", [[]])).toEqual({ limit: 100, used: 0, available: 100, waiting: 0 });
    expect(ruleKindOf(swb).read(swb, "zset", now)).toBeUndefined();
  });

  it("fixed window: the current window's count, later windows as waiting, in either form", () => {
    const fw = { kind: "fixedWindow", limit: 10, windowUs: 60_000_000, alignUs: 30_000_000 } as const;
    const current = Math.floor((now - 30_000_000) / 60_000_000);
    const hash = { [current - 1]: "9", [current]: "4", [current + 1]: "10", last: String(now) };
    expect(usage(fw, "hash", [hash])).toEqual({ limit: 10, used: 4, available: 6, waiting: 10 });
    // The integer form: k * (limit + 1) + units of window k.
    expect(usage(fw, "string", [String(current * 11 + 4)])).toEqual({ limit: 10, used: 4, available: 6, waiting: 0 });
    expect(usage(fw, "string", ["x"])).toBeUndefined();
  });

  it("concurrency: leases expiring after now are held; nothing waits in Redis", () => {
    const cc = { kind: "concurrency", limit: 3 } as const;
    expect(ruleKindOf(cc).read(cc, "zset", now)?.commands).toEqual([["ZCOUNT", `(${now}`, "+inf"]]);
    expect(usage(cc, "zset", [3])).toEqual({ limit: 3, used: 3, available: 0, waiting: null });
  });
});
