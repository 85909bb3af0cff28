import { concurrencyKind } from "./concurrency.js";
import { fixedWindowKind } from "./fixed-window.js";
import type { Rule } from "./rule.js";
import { splitRuleId } from "./rule-id.js";
import type { RuleKind, RuleSpec } from "./rule-kind.js";
import { slidingWindowKind } from "./sliding-window.js";
import { tokenBucketKind } from "./token-bucket.js";

type KindOf<K extends Rule["kind"]> = RuleKind<Extract<Rule, { kind: K }>, Extract<RuleSpec, { kind: K }>>;

/** Every kind's descriptor, by `Rule.kind`: the one place a kind is looked up. */
export const ruleKinds: { readonly [K in Rule["kind"]]: KindOf<K> } = {
  tokenBucket: tokenBucketKind,
  slidingWindow: slidingWindowKind,
  fixedWindow: fixedWindowKind,
  concurrency: concurrencyKind,
};

const byCode: ReadonlyMap<string, RuleKind> = new Map(
  Object.values(ruleKinds).flatMap((kind) => kind.codes.map((code) => [code, kind as RuleKind] as const)),
);

/**
 * The descriptor of a rule's kind, or of a spec's (pass it that rule or spec).
 * @example ruleKindOf(rule).scaled(rule, 0.25)
 */
export const ruleKindOf = (of: Rule | RuleSpec): RuleKind => ruleKinds[of.kind] as RuleKind;

/**
 * Reads a rule id made by the factories (`tb:<intervalUs>:<burst>`, `sw:<limit>:<windowUs>`,
 * …, each kind's module has its form), optionally followed by `#<name>`. Anything else
 * (`pause`, `events`, a future kind) is `undefined`.
 */
export function parseRuleId(id: string): RuleSpec | undefined {
  const split = splitRuleId(id);
  return split && byCode.get(split.code)?.parseId(split.code, split.params);
}
