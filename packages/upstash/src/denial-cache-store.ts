import type { Rule } from "@sluice/core";
import type {
  ArrivalPart,
  Store,
  StoreAcquire,
  StoreCall,
  StoreCancel,
  StoreDecision,
  StoreLearned,
  StoreReport,
  StoreRequest,
} from "@sluice/core/adapter";

/** A denial the store gave, answered from memory until `untilMs`. Times are `now()` ms. */
interface Denial {
  /** What every key of the quota starts with: a reset or a give-back there forgets it. */
  readonly base: string;
  /** When the store said a slot could come (the reply's arrival plus its wait). */
  readonly slotMs: number;
  /** When to ask the store again: the slot, or sooner after `maxMs`. */
  readonly untilMs: number;
  readonly receivedMs: number;
  readonly decision: StoreDecision;
}

/** Denials kept at most: a warm instance serving a quota per user keeps bounded memory. */
const MAX_DENIALS = 10_000;

/** Requests with these keys, rules and terms get the same answer until the state loosens. */
const denialKey = (quota: StoreAcquire, request: StoreRequest): string =>
  `${quota.keys.limits.join(" ")}|${quota.arrival?.wire.join(":") ?? ""}|${request.cost}|${request.headroomPerMille}`;

/**
 * Answers denials from memory in a warm instance, so a blocked quota costs no request until it
 * may admit again. After the store denies a request with a wait (a rate limit or a pause; never
 * a full concurrency limit, which a release may free at any time), a request of the same quota,
 * cost and priority that accepts a shorter wait than what is left of it is denied here, with
 * the wait that is left. Only denials are answered: nothing is admitted that the store has not
 * admitted. What it can miss is a loosening the store saw meanwhile (a slot given back, a
 * reset from elsewhere, a learned margin stepping back), so each denial is kept `maxMs` at most.
 * A reset or a give-back through this instance forgets the quota's denials at once.
 */
export class DenialCacheStore implements Store {
  readonly #inner: Store;
  readonly #maxMs: number;
  readonly #now: () => number;
  readonly #denials = new Map<string, Denial>();
  readonly onRelease: Store["onRelease"];

  /** `now` is a monotonic clock in ms (`performance.now`, or a test's). */
  constructor(inner: Store, maxMs: number, now: () => number = () => performance.now()) {
    this.#inner = inner;
    this.#maxMs = maxMs;
    this.#now = now;
    this.onRelease = inner.onRelease?.bind(inner);
  }

  async acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    // A read (state()), a test's own clock and a named request (answered from the store's
    // memory of its first decision) always reach the store.
    if (!call.record || call.nowUs !== undefined || call.remember === true) return this.#inner.acquire(quotas, call);
    const now = this.#now();
    const local = quotas.map((quota) => quota.requests.map((request) => this.#answer(quota, request, now)));
    const asked = quotas
      .map((quota, q) => ({ ...quota, requests: quota.requests.filter((_, r) => local[q]?.[r] === undefined) }))
      .filter((quota) => quota.requests.length > 0);
    if (asked.length === 0) return local as StoreDecision[][];
    // A denial writes nothing, so the others are decided as they would have been with it.
    const replies = await this.#inner.acquire(asked, call);
    const receivedMs = this.#now();
    let next = 0;
    return quotas.map((quota, q) => {
      const answers = local[q] as Array<StoreDecision | undefined>;
      if (answers.every((answer) => answer !== undefined)) return answers as StoreDecision[];
      const decided = replies[next++] as StoreDecision[];
      let at = 0;
      return quota.requests.map(
        (request, r) => answers[r] ?? this.#keep(quota, request, decided[at++] as StoreDecision, receivedMs),
      );
    });
  }

  /** The denial to answer `request` with from memory, if one headrooms. */
  #answer(quota: StoreAcquire, request: StoreRequest, now: number): StoreDecision | undefined {
    // A caller without a bound on its wait always gets its slot reserved by the store.
    if (request.maxWaitUs < 0) return undefined;
    const key = denialKey(quota, request);
    const denial = this.#denials.get(key);
    if (denial === undefined) return undefined;
    if (now >= denial.untilMs) {
      this.#denials.delete(key);
      return undefined;
    }
    // One who accepts to wait until the slot asks the store, which reserves it.
    if (now + request.maxWaitUs / 1000 >= denial.slotMs) return undefined;
    const { decision } = denial;
    const elapsedUs = Math.round((now - denial.receivedMs) * 1000);
    return {
      ...decision,
      waitUs: Math.ceil((denial.slotMs - now) * 1000),
      nowUs: decision.nowUs + elapsedUs,
      localNowUs: decision.localNowUs === undefined ? undefined : decision.localNowUs + elapsedUs,
    };
  }

  /** Keeps a denial that names its wait; returns the decision. */
  #keep(quota: StoreAcquire, request: StoreRequest, decision: StoreDecision, receivedMs: number): StoreDecision {
    if (decision.admitted || !decision.queueable || decision.waitUs <= 0) return decision;
    const key = denialKey(quota, request);
    // Counted from the reply's arrival, so a caller that waits its retryAfterMs is never refused here.
    const slotMs = receivedMs + decision.waitUs / 1000;
    this.#denials.delete(key);
    if (this.#denials.size >= MAX_DENIALS) this.#denials.delete(this.#denials.keys().next().value as string);
    this.#denials.set(key, {
      base: quota.keys.base,
      slotMs,
      untilMs: Math.min(slotMs, receivedMs + this.#maxMs),
      receivedMs,
      decision,
    });
    return decision;
  }

  /** Forgets the denials of every quota that one of `keys` belongs to. */
  #forget(keys: readonly string[]): void {
    for (const [key, denial] of this.#denials) {
      if (keys.some((k) => k.startsWith(denial.base))) this.#denials.delete(key);
    }
  }

  slotOf(key: string): number {
    return this.#inner.slotOf(key);
  }

  // Forgotten once the store has loosened: a denial that arrives meanwhile is not kept past it.
  async cancel(request: StoreCancel): Promise<void> {
    try {
      await this.#inner.cancel(request);
    } finally {
      this.#forget([request.keys.base]);
    }
  }

  release(keys: readonly string[], id: string): Promise<number> {
    return this.#inner.release(keys, id);
  }

  pause(key: string, durationUs: number, nowUs?: number): Promise<number> {
    return this.#inner.pause(key, durationUs, nowUs);
  }

  async reset(keys: readonly string[]): Promise<number> {
    try {
      return await this.#inner.reset(keys);
    } finally {
      this.#forget(keys);
    }
  }

  tighten(key: string, rule: Rule, remaining: number, id: string, nowUs?: number): Promise<number> {
    return this.#inner.tighten(key, rule, remaining, id, nowUs);
  }

  report(arrival: ArrivalPart, report: StoreReport, nowUs?: number): Promise<StoreLearned> {
    return this.#inner.report(arrival, report, nowUs);
  }

  note(key: string, event: string, keep: number, ttlMs: number): Promise<void> {
    return this.#inner.note(key, event, keep, ttlMs);
  }
}
