import type { StoreDecision, StoreRequest } from "./store.js";

/** Most acquires decided by one script call. */
const MAX_BATCH = 512;

interface Pending {
  readonly id: string;
  readonly cost: number;
  /** `performance.now()` ms by which the slot must come; `Infinity` for no bound. */
  readonly deadline: number;
  readonly resolve: (decision: StoreDecision) => void;
  readonly reject: (error: unknown) => void;
}

const maxWaitUs = (deadline: number): number =>
  deadline === Number.POSITIVE_INFINITY ? -1 : Math.max(0, Math.floor((deadline - performance.now()) * 1000));

/**
 * Coalesces concurrent acquires on one quota: acquires made in the same tick, or while a call
 * is in flight, go together in the next call, which decides them in order exactly as separate
 * calls at one instant would. One call in flight per quota; many decisions per round trip.
 */
export class AcquireBatcher {
  readonly #send: (requests: StoreRequest[]) => Promise<StoreDecision[]>;
  readonly #coalesce: boolean;
  #queue: Pending[] = [];
  #busy = false;

  constructor(send: (requests: StoreRequest[]) => Promise<StoreDecision[]>, coalesce: boolean) {
    this.#send = send;
    this.#coalesce = coalesce;
  }

  decide(id: string, cost: number, deadline: number): Promise<StoreDecision> {
    return new Promise((resolve, reject) => {
      const pending = { id, cost, deadline, resolve, reject };
      if (!this.#coalesce) return void this.#flush([pending]);
      this.#queue.push(pending);
      if (!this.#busy) {
        this.#busy = true;
        queueMicrotask(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#flush(this.#queue.splice(0, MAX_BATCH));
    this.#busy = false;
  }

  async #flush(batch: Pending[]): Promise<void> {
    try {
      const decisions = await this.#send(
        batch.map((p) => ({ id: p.id, cost: p.cost, maxWaitUs: maxWaitUs(p.deadline) })),
      );
      batch.forEach((pending, i) => pending.resolve(decisions[i] as StoreDecision));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
