import { callKey } from "./acquire-wire.js";
import type { Rule } from "./rules/rule.js";
import type { StoreAcquire, StoreRequest } from "./store.js";

/**
 * Whether a call is one request of one quota with one limit: a one-request script
 * (lua/acquire-one-*.lua) decides it, without the batch's run parsing. That is every call of a
 * limiter that does not coalesce, and of one that does when nothing else waits.
 */
export function isOneRequest(quotas: readonly StoreAcquire[]): boolean {
  return quotas.length === 1 && quotas[0]?.requests.length === 1 && quotas[0].rules.length === 1;
}

/** A rule's parameters (its wire without the code) as ARGV strings, made once per rule object. */
const ruleArgs = new WeakMap<Rule, readonly string[]>();

function argsOf(rule: Rule): readonly string[] {
  let args = ruleArgs.get(rule);
  if (args === undefined) {
    args = [String(rule.wire[1]), String(rule.wire[2]), String(rule.wire[3])];
    ruleArgs.set(rule, args);
  }
  return args;
}

/**
 * Writes one request as the one-request scripts read it (the script is the limit's kind, so
 * no code is sent): KEYS call, pause, limit and arrival (when the quota has one); ARGV after
 * `head` (now, remember, deadline): cost, maxWait, headroomPerMille, the limit's three
 * parameters, the arrival part's margin, pace and cap, and the request id when the limit keeps
 * ids.
 */
export function encodeOne(quota: StoreAcquire, head: readonly string[]): { keys: string[]; args: string[] } {
  const request = quota.requests[0] as StoreRequest;
  const rule = quota.rules[0] as Rule;
  const { keys: quotaKeys, arrival } = quota;
  const keys = [callKey(quotaKeys, request.id), quotaKeys.pause, quotaKeys.limits[0] as string];
  const args = [...head, String(request.cost), String(request.maxWaitUs), String(request.headroomPerMille)];
  args.push(...argsOf(rule));
  if (arrival !== undefined) {
    keys.push(arrival.key);
    args.push(String(arrival.wire[1]), String(arrival.wire[2]), String(arrival.wire[3]));
  }
  if (rule.keepsIds) args.push(request.id);
  return { keys, args };
}
