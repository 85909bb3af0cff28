import type { Rule } from "./rules/rule.js";
import type { QuotaKeys } from "./store.js";
import { invalid } from "./validate.js";

// Braces would end or start a hash tag early; escaping them (and the escape character) keeps
// every name inside its own tag, so two names never share a slot by accident or collide.
const escapeTag = (name: string): string =>
  name.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks a key prefix: a non-empty string without braces (it must not carry a hash tag). */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || prefix === "" || /[{}]/.test(prefix)) {
    invalid("prefix", "a non-empty string without `{` or `}`", prefix);
  }
  return prefix;
}

/**
 * Keys of a quota: `<prefix>:{<name>}:<rule id>`, `<prefix>:{<name>}:pause` and
 * `<prefix>:{<name>}:events`. The braces make
 * the escaped name the Cluster hash tag, so one quota's keys share a slot and an acquire over all
 * its rules is one script call; different names spread over the slots.
 */
export function quotaKeys(prefix: string, name: string, rules: readonly Rule[]): QuotaKeys {
  const base = `${prefix}:{${escapeTag(name)}}:`;
  return { base, pause: `${base}pause`, limits: rules.map((rule) => base + rule.id), events: `${base}events` };
}
