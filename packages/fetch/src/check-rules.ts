import type { Rule } from "@sluice/core";
import { invalid } from "@sluice/core/adapter";

/** Checks a list of limits made by the core factories, naming `option` (e.g. `routes[1].limits`). */
export function checkRules(option: string, limits: unknown, allowEmpty = false): readonly Rule[] {
  if (!Array.isArray(limits) || (!allowEmpty && limits.length === 0))
    invalid(option, "a non-empty array of rules (tokenBucket, slidingWindow, fixedWindow, concurrency)", limits);
  const ids = new Set<string>();
  limits.forEach((rule: unknown, i: number) => {
    const r = rule as Partial<Rule> | null;
    if (typeof r !== "object" || r === null || typeof r.wire !== "object" || typeof r.id !== "string")
      invalid(`${option}[${i}]`, "a rule made by tokenBucket, slidingWindow, fixedWindow or concurrency", rule);
    if (ids.has(r.id)) invalid(`${option}[${i}]`, "a rule not already in the list", r.label);
    ids.add(r.id);
  });
  return limits as readonly Rule[];
}
