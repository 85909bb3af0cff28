import type { Store, StoreAcquire, StoreCall, StoreDecision } from "./store.js";

/** Most acquires decided by one script call. */
const MAX_BATCH = 512;
/**
 * Calls in flight per slot: with two, this process prepares and decodes one call while Redis
 * runs the other, instead of each waiting for the other in turn.
 */
const MAX_IN_FLIGHT = 2;

/** What a quota contributes to a call: its keys and rules, with its slot and group worked out once. */
export interface QuotaShape extends Pick<StoreAcquire, "keys" | "rules" | "arrival"> {
  /** The Cluster hash slot of its keys (0 on a single node). */
  readonly slot: number;
  /**
   * Acquires of one group go together in a call, even through separate Quota objects of the
   * same name and rules (an app making a quota per request): one load and one write for all.
   */
  readonly group: string;
}

interface Pending {
  readonly quota: QuotaShape;
  readonly id: string;
  readonly cost: number;
  /** `performance.now()` ms by which the slot must come; `Infinity` for no bound. */
  readonly deadline: number;
  /** Per mille of each limit to leave free (priority headroom). */
  readonly headroomPerMille: number;
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

const rulesIds = new WeakMap<QuotaShape["rules"], number>();
let nextRulesId = 0;

/** A number per rules array, to tell quotas of one name with different rules apart. */
function rulesIdOf(rules: QuotaShape["rules"]): number {
  let id = rulesIds.get(rules);
  if (id === undefined) {
    id = nextRulesId++;
    rulesIds.set(rules, id);
  }
  return id;
}

interface Lane {
  readonly queue: Pending[];
  inFlight: number;
  scheduled: boolean;
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
  /** Pending acquires and calls in flight per Cluster slot (one slot, 0, on a single node). */
  readonly #lanes = new Map<number, Lane>();

  constructor(store: Store, coalesce: boolean) {
    this.#store = store;
    this.#coalesce = coalesce;
  }

  /** The shape of a quota with these keys, rules and arrival part, for `decide`. */
  shape(keys: QuotaShape["keys"], rules: QuotaShape["rules"], arrival: QuotaShape["arrival"]): QuotaShape {
    const group = `${rulesIdOf(rules)} ${arrival?.wire.join(":") ?? ""} ${keys.pause}`;
    return { keys, rules, arrival, slot: this.#store.slotOf(keys.pause), group };
  }

  /**
   * Decides one acquire. A `named` one (the caller's own id) goes in a call of its own that the
   * store remembers (`StoreCall.remember`): the reply kept for a retry is its decision alone.
   */
  decide(
    quota: QuotaShape,
    id: string,
    cost: number,
    deadline: number,
    headroomPerMille: number,
    named = false,
  ): Promise<StoreDecision> {
    return new Promise((resolve, reject) => {
      const pending = { quota, id, cost, deadline, headroomPerMille, resolve, reject };
      if (named) return void this.#send([pending], { record: true, remember: true });
      if (!this.#coalesce) return void this.#send([pending]);
      const slot = quota.slot;
      let lane = this.#lanes.get(slot);
      if (lane === undefined) {
        lane = { queue: [], inFlight: 0, scheduled: false };
        this.#lanes.set(slot, lane);
      }
      lane.queue.push(pending);
      if (!lane.scheduled) {
        lane.scheduled = true;
        const scheduled = lane;
        queueMicrotask(() => this.#pump(slot, scheduled));
      }
    });
  }

  // Shares the queue among the free calls of the lane, so two calls alternate under load.
  #pump(slot: number, lane: Lane): void {
    lane.scheduled = false;
    while (lane.queue.length > 0 && lane.inFlight < MAX_IN_FLIGHT) {
      const take = Math.min(MAX_BATCH, Math.ceil(lane.queue.length / (MAX_IN_FLIGHT - lane.inFlight)));
      lane.inFlight++;
      void this.#send(lane.queue.splice(0, take)).then(() => {
        lane.inFlight--;
        if (lane.queue.length > 0) this.#pump(slot, lane);
        else if (lane.inFlight === 0 && !lane.scheduled) this.#lanes.delete(slot);
      });
    }
  }

  async #send(batch: Pending[], call: StoreCall = { record: true }): Promise<void> {
    const groups = groupBy(batch, (p) => p.quota.group);
    try {
      const decisions = await this.#store.acquire(
        groups.map((group) => ({
          keys: (group[0] as Pending).quota.keys,
          rules: (group[0] as Pending).quota.rules,
          arrival: (group[0] as Pending).quota.arrival,
          requests: group.map((p) => ({
            id: p.id,
            cost: p.cost,
            maxWaitUs: maxWaitUs(p.deadline),
            headroomPerMille: p.headroomPerMille,
          })),
        })),
        call,
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
