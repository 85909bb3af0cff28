import type { Decision, Grant, Quota } from "@sluice/core";
import type { PoolKey } from "./credential-pool.js";
import type { Call, FetchContext } from "./fetch-call.js";
import { releaseOnBodyEnd } from "./release-on-body-end.js";
import { acquireTimed } from "./slot-wait.js";

/** A grant a request holds, in one quota. */
export interface Held {
  readonly quota: Quota;
  readonly grant: Decision & Pick<Grant, "lease">;
  /** Whether it holds a concurrency slot, released when the answer's body ends. */
  readonly leased: boolean;
  /** Whether it is the credential key's grant. */
  readonly ofKey: boolean;
}

/** What one attempt holds: a grant per route group with limits, then the key's. */
export interface Slots {
  readonly held: readonly Held[];
  readonly key: PoolKey | undefined;
}

const hasLease = (quota: Quota): boolean => quota.rules.some((rule) => rule.leased);

/**
 * Waits for a slot in every route group of the call, one group after the other, then for the
 * credential key with the soonest slot. Emits `wait` events and counts `waitedMs` (the slot
 * waits, not the store round trips); on failure (abort, timeout) gives back what it already holds.
 */
export async function acquireSlots(call: Call, context: FetchContext): Promise<Slots> {
  const held: Held[] = [];
  const waited = (quota: string, group: string, ms: number): void => {
    context.stats.add([group], "waitedMs", ms);
    if (ms >= 1) context.emit({ type: "wait", quota, waitedMs: ms, method: call.method, url: call.url });
  };
  try {
    for (const group of call.plan.groups) {
      if (group.quota === undefined) continue;
      const { grant, waitedMs } = await acquireTimed(group.quota, call.signal);
      held.push({ quota: group.quota, grant, leased: group.leased, ofKey: false });
      waited(group.name, group.name, waitedMs);
    }
    const pool = call.plan.pool;
    if (pool === undefined) return { held, key: undefined };
    const picked = await pool.pick(call.signal);
    const { quota } = picked.key;
    held.push({ quota, grant: picked.grant, leased: hasLease(quota), ofKey: true });
    waited(quota.name, pool.group, picked.waitedMs);
    return { held, key: picked.key };
  } catch (error) {
    releaseHeld(held);
    throw error;
  }
}

/** Gives back the concurrency slots among `held`; the other grants are spent. */
export function releaseHeld(held: readonly Held[]): void {
  // A failed release only delays the slot until its lease expires; it must not fail the call.
  for (const { quota, grant, leased } of held) if (leased) quota.release(grant).catch(() => {});
}

/** The answer for the caller, holding its concurrency slots until its body ends. */
export function deliver(response: Response, held: readonly Held[]): Response {
  return held.some((h) => h.leased) ? releaseOnBodyEnd(response, () => releaseHeld(held)) : response;
}

/** The grants an answer speaks about: the key's when a key was used, else the groups'. */
export function answeredBy(slots: Slots): Held[] {
  return slots.held.filter((h) => h.ofKey === (slots.key !== undefined));
}
