import type { Store, StoreAcquire, StoreDecision } from "./store.js";

/** Most acquires decided by one script call. */
const MAX_BATCH = 512;

/** What a quota contributes to a call: its keys and rules. */
export type QuotaShape = Pick<StoreAcquire, "keys" | "rules">;

interface Pending {
  readonly quota: QuotaShape;
  readonly id: string;
  readonly cost: number;
  /** `performance.now()` ms by which the slot must come; `Infinity` for no bound. */
  readonly deadline: number;
  /** Per mille of each limit to leave free (priority headroom). */
  readonly reserve: number;
  readonly resolve: (decision: StoreDecision) => void;
  readonly reject: (error: unknown) => void;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): T[][] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

const maxWaitUs = (deadline: number): number =>
  deadline === Number.POSITIVE_INFINITY ? -1 : Math.max(0, Math.floor((deadline - performance.now()) * 1000));

/**
 * Coalesces the acquires of one process: those made in the same tick, or while a call is in
 * flight, go together in the next call, which decides them in order exactly as separate calls
 * at one instant would. Many decisions per round trip, for one hot quota or many distinct ones.
 * On a Cluster each hash slot has its own queue and its own call in flight, so a slow node
 * never holds up the others.
 */
export class AcquireBatcher {
  readonly #store: Store;
  readonly #coalesce: boolean;
  /** Pending acquires per Cluster slot (one slot, 0, on a single node); present while busy. */
  readonly #queues = new Map<number, Pending[]>();

  constructor(store: Store, coalesce: boolean) {
    this.#store = store;
    this.#coalesce = coalesce;
  }

  decide(quota: QuotaShape, id: string, cost: number, deadline: number, reserve: number): Promise<StoreDecision> {
    return new Promise((resolve, reject) => {
      const pending = { quota, id, cost, deadline, reserve, resolve, reject };
      if (!this.#coalesce) return void this.#send([pending]);
      const slot = this.#store.slotOf(quota.keys.pause);
      const queue = this.#queues.get(slot);
      if (queue !== undefined) return void queue.push(pending);
      this.#queues.set(slot, [pending]);
      queueMicrotask(() => void this.#drain(slot));
    });
  }

  async #drain(slot: number): Promise<void> {
    const queue = this.#queues.get(slot) as Pending[];
    while (queue.length > 0) await this.#send(queue.splice(0, MAX_BATCH));
    this.#queues.delete(slot);
  }

  async #send(batch: Pending[]): Promise<void> {
    const groups = groupBy(batch, (p) => p.quota.keys);
    try {
      const decisions = await this.#store.acquire(
        groups.map((group) => ({
          ...(group[0] as Pending).quota,
          requests: group.map((p) => ({
            id: p.id,
            cost: p.cost,
            maxWaitUs: maxWaitUs(p.deadline),
            reserve: p.reserve,
          })),
        })),
        { record: true },
      );
      groups.forEach((group, g) => {
        group.forEach((pending, r) => {
          pending.resolve(decisions[g]?.[r] as StoreDecision);
        });
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
