import { formatDuration, trimNumber } from "./format-duration.js";

/** A rule as its key names it: the parameters the scripts count in (microseconds for times). */
export type RuleSpec =
  | { readonly kind: "tokenBucket"; readonly intervalUs: number; readonly burst: number }
  | {
      readonly kind: "slidingWindow";
      readonly precision: "exact";
      readonly limit: number;
      readonly windowUs: number;
    }
  | {
      readonly kind: "slidingWindow";
      readonly precision: "bucketed";
      readonly limit: number;
      readonly windowUs: number;
      readonly bucketUs: number;
    }
  | { readonly kind: "fixedWindow"; readonly limit: number; readonly windowUs: number; readonly alignUs: number }
  | { readonly kind: "concurrency"; readonly limit: number };

const whole = (text: string | undefined, min: number): number | undefined => {
  const value = Number(text);
  return text !== undefined && /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min ? value : undefined;
};

/**
 * Reads a rule id made by the factories in `packages/core/src/rules/`: `tb:<intervalUs>:<burst>`,
 * `sw:<limit>:<windowUs>`, `swb:<limit>:<windowUs>:<bucketUs>`, `fw:<limit>:<windowUs>:<alignUs>`,
 * `cc:<limit>`, each optionally followed by `#<name>`. Anything else (`pause`, `events`, a future kind) is `undefined`.
 */
export function parseRuleId(id: string): RuleSpec | undefined {
  // A named rule ends in `#<percent-encoded name>`; the parameters come before it.
  const [kind, ...parts] = (id.split("#")[0] as string).split(":");
  const [a, b, c] = parts;
  switch (`${kind}/${parts.length}`) {
    case "tb/2": {
      const intervalUs = whole(a, 1);
      const burst = whole(b, 1);
      return intervalUs && burst ? { kind: "tokenBucket", intervalUs, burst } : undefined;
    }
    case "sw/2": {
      const limit = whole(a, 1);
      const windowUs = whole(b, 1);
      return limit && windowUs ? { kind: "slidingWindow", precision: "exact", limit, windowUs } : undefined;
    }
    case "swb/3": {
      const limit = whole(a, 1);
      const windowUs = whole(b, 1);
      const bucketUs = whole(c, 1);
      return limit && windowUs && bucketUs
        ? { kind: "slidingWindow", precision: "bucketed", limit, windowUs, bucketUs }
        : undefined;
    }
    case "fw/3": {
      const limit = whole(a, 1);
      const windowUs = whole(b, 1);
      const alignUs = whole(c, 0);
      return limit && windowUs && alignUs !== undefined ? { kind: "fixedWindow", limit, windowUs, alignUs } : undefined;
    }
    case "cc/1": {
      const limit = whole(a, 1);
      return limit ? { kind: "concurrency", limit } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The rule in words: `slidingWindow 100 per 1 s`, `tokenBucket 11 per 1 s, burst 11`.
 * A token bucket's interval was rounded up to a whole microsecond, so its rate reads as per
 * second to three significant digits (or one token per interval when slower than 1/s).
 */
export function describeRule(spec: RuleSpec): string {
  switch (spec.kind) {
    case "tokenBucket": {
      const rate =
        spec.intervalUs <= 1_000_000
          ? `${Number((1_000_000 / spec.intervalUs).toPrecision(3))} per 1 s`
          : `1 per ${formatDuration(spec.intervalUs)}`;
      return `tokenBucket ${rate}, burst ${spec.burst}`;
    }
    case "slidingWindow":
      return spec.precision === "exact"
        ? `slidingWindow ${spec.limit} per ${formatDuration(spec.windowUs)}`
        : `slidingWindow ${spec.limit} per ${formatDuration(spec.windowUs)}, ${trimNumber(spec.windowUs / spec.bucketUs, 0)} buckets`;
    case "fixedWindow":
      return `fixedWindow ${spec.limit} per ${formatDuration(spec.windowUs)}${spec.alignUs > 0 ? `, aligned +${formatDuration(spec.alignUs)}` : ""}`;
    case "concurrency":
      return `concurrency ${spec.limit}`;
  }
}

/** The Redis type each rule keeps its state in (see `lua/algorithms/`). */
export const stateTypes = (spec: RuleSpec): ReadonlyArray<"string" | "zset" | "hash"> =>
  spec.kind === "tokenBucket"
    ? ["string"]
    : (spec.kind === "slidingWindow" && spec.precision === "exact") || spec.kind === "concurrency"
      ? ["zset"]
      : spec.kind === "fixedWindow"
        ? ["string", "hash"]
        : ["hash"];
