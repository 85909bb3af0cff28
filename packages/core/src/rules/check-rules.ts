import { invalid } from "../validate.js";
import type { Rule } from "./rule.js";

/** The checked, frozen copy of each list, for apps that make a quota (or a route) per request. */
const checked = new WeakMap<readonly unknown[], readonly Rule[]>();

function notAList(option: string, limits: unknown, allowEmpty: boolean): never {
  const expected = `${allowEmpty ? "an" : "a non-empty"} array of rules (tokenBucket, slidingWindow, fixedWindow, concurrency)`;
  // `invalid` writes any array as `[object Array]`, which would hide that this one is empty.
  if (Array.isArray(limits))
    throw new TypeError(`Expected \`${option}\` to be ${expected}, got \`[]\` (an empty array)`);
  invalid(option, expected, limits);
}

/**
 * Checks a list of limits made by the factories, naming `option` in messages (e.g. `limits`,
 * `routes[1].limits`): an array (non-empty unless `allowEmpty`) of rules that differ from each
 * other. Returns a frozen copy, made once per array while the array keeps its rules.
 */
export function checkRules(option: string, limits: unknown, allowEmpty = false): readonly Rule[] {
  if (!Array.isArray(limits) || (limits.length === 0 && !allowEmpty)) notAList(option, limits, allowEmpty);
  const known = checked.get(limits);
  // The same array may have been changed since: reuse the copy only while it still matches.
  if (known !== undefined && known.length === limits.length && known.every((rule, i) => rule === limits[i]))
    return known;
  const ids = new Set<string>();
  limits.forEach((rule: unknown, i: number) => {
    const r = rule as Partial<Rule> | null;
    if (typeof r !== "object" || r === null || typeof r.wire !== "object" || typeof r.id !== "string")
      invalid(`${option}[${i}]`, "a rule made by tokenBucket, slidingWindow, fixedWindow or concurrency", rule);
    if (ids.has(r.id)) invalid(`${option}[${i}]`, "a rule that differs from the ones before it", r.label);
    ids.add(r.id);
  });
  const rules = Object.freeze([...limits] as Rule[]);
  checked.set(limits, rules);
  return rules;
}
