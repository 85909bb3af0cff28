import type { WireCode } from "./rule.js";

/** A rule's id before its name (rule-name.ts): its wire code, then its parameters, `tb:90910:11`. */
export const ruleId = (code: WireCode, ...params: readonly number[]): string => [code, ...params].join(":");

/**
 * An id's code and parameters, its name (`#<name>`) left off; `undefined` when a parameter is
 * not a whole number written in digits.
 */
export function splitRuleId(id: string): { readonly code: string; readonly params: number[] } | undefined {
  const [code = "", ...parts] = (id.split("#")[0] as string).split(":");
  const params = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  return params.every(Number.isSafeInteger) ? { code, params } : undefined;
}
