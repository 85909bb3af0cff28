import { callKey, sameTerms } from "../acquire-wire.js";
import type { ArrivalPart } from "../arrival.js";
import { localMicros } from "../local-clock.js";
import { CONCURRENCY_WIRE } from "../rules/concurrency.js";
import { FIXED_WINDOW_WIRE } from "../rules/fixed-window.js";
import type { Rule, WireCode } from "../rules/rule.js";
import { SLIDING_BUCKETS_WIRE, SLIDING_LOG_WIRE } from "../rules/sliding-window.js";
import { TOKEN_BUCKET_WIRE } from "../rules/token-bucket.js";
import type {
  Store,
  StoreAcquire,
  StoreCall,
  StoreCancel,
  StoreDecision,
  StoreLearned,
  StoreReport,
  StoreRequest,
} from "../store.js";
import type { ModelAlgorithm, Spec } from "./algorithm.js";
import { type ArrivalSpec, type ArrivalState, arrivalKeepUs, arrivalModel } from "./arrival.js";
import { concurrencyModel } from "./concurrency.js";
import { fixedWindowModel } from "./fixed-window.js";
import { slidingBucketsModel } from "./sliding-buckets.js";
import { slidingLogModel } from "./sliding-log.js";
import { tokenBucketModel } from "./token-bucket.js";

/** Passes of the fixed-point search in which exact logs look for gaps before their reservations. */
const GAP_PASSES = 32;

// biome-ignore lint/suspicious/noExplicitAny: each algorithm keeps its own state shape.
const models: Record<WireCode, ModelAlgorithm<any>> = {
  [TOKEN_BUCKET_WIRE]: tokenBucketModel,
  [SLIDING_LOG_WIRE]: slidingLogModel,
  [SLIDING_BUCKETS_WIRE]: slidingBucketsModel,
  [FIXED_WINDOW_WIRE]: fixedWindowModel,
  [CONCURRENCY_WIRE]: concurrencyModel,
};

interface Cell {
  readonly value: unknown;
  readonly expiresAt: number;
}

/** Sweep expired cells every this many writes, so idle quotas leave nothing behind. */
const SWEEP_EVERY = 1024;

/** How long a named call's reply is remembered (µs): RedisStore's default `rememberNamedMs`. */
const REMEMBER_NAMED_US = 3_600_000_000;

/** A remembered reply, answered again: the first decisions, placed on this process's clock by their age. */
const replay = (first: StoreDecision[][], now: number): StoreDecision[][] =>
  first.map((decisions) =>
    decisions.map((d) => ({ ...d, localNowUs: localMicros() - (now - d.nowUs), replayed: true as const })),
  );

/**
 * The reference model of the scripts, on plain objects: the store for single-process use and
 * the oracle the Redis scripts are tested against. Same semantics, same microsecond arithmetic.
 */
export class MemoryStore implements Store {
  readonly #cells = new Map<string, Cell>();
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #clock: () => number;
  /** µs a value is kept past its expiry (`ttlSlackUs`). */
  readonly #slackUs: number;
  #writes = 0;

  /**
   * @param clock microseconds since the epoch; tests may pass their own.
   * @param options.ttlSlackUs keep each value this long past its expiry. For a test that drives
   *   the scripts with its own `nowUs` (faster than time passes): Redis counts a key's TTL on its
   *   real clock, so there no key expires during the test, and with a slack longer than the test
   *   here neither does one, and only the decisions are compared.
   */
  constructor(clock: () => number = localMicros, options: { readonly ttlSlackUs?: number } = {}) {
    this.#clock = clock;
    this.#slackUs = options.ttlSlackUs ?? 0;
  }

  #read(key: string, now: number): unknown {
    const cell = this.#cells.get(key);
    if (cell === undefined || cell.expiresAt + this.#slackUs <= now) return undefined;
    return cell.value;
  }

  #write(key: string, value: unknown, expiresAt: number): void {
    this.#cells.set(key, { value, expiresAt });
    if (++this.#writes % SWEEP_EVERY === 0) this.#sweep(this.#clock());
  }

  #sweep(now: number): void {
    for (const [key, cell] of this.#cells) if (cell.expiresAt + this.#slackUs <= now) this.#cells.delete(key);
  }

  /** Number of live keys; an idle store drops to 0. */
  size(now = this.#clock()): number {
    this.#sweep(now);
    return this.#cells.size;
  }

  async acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    const now = call.nowUs ?? this.#clock();
    for (const quota of quotas) this.#checkCosts(quota, call.record);
    // As the scripts: a named call's reply is kept under the call's key when it admitted
    // something, and answers the same call again while every grant of it holds.
    const first = quotas[0];
    const key =
      call.record && call.remember === true && first !== undefined
        ? callKey(first.keys, first.requests[0]?.id ?? "")
        : undefined;
    if (key !== undefined) {
      const remembered = this.#read(key, now) as StoreDecision[][] | undefined;
      if (remembered !== undefined && this.#grantsHold(quotas, remembered, now)) return replay(remembered, now);
      this.#cells.delete(key);
    }
    const decisions = quotas.map((quota) => this.#decideQuota(quota, call.record, key !== undefined, now));
    if (key !== undefined && decisions.some((q) => q.some((d) => d.admitted))) {
      this.#write(key, decisions, now + REMEMBER_NAMED_US);
    }
    return decisions;
  }

  /** Whether each grant of a remembered reply still holds (its leases are live). */
  #grantsHold(quotas: readonly StoreAcquire[], remembered: StoreDecision[][], now: number): boolean {
    return quotas.every((quota, q) =>
      quota.requests.every(
        (request, r) =>
          remembered[q]?.[r]?.admitted !== true ||
          quota.rules.every((rule, i) => {
            const [kind, a, b, c] = rule.wire;
            const model = models[kind] as ModelAlgorithm<unknown>;
            if (model.holds === undefined) return true;
            const spec: Spec = [a, b, c];
            const state = model.load(this.#read(quota.keys.limits[i] as string, now), spec, now);
            return model.holds(state, request.id, now);
          }),
      ),
    );
  }

  /**
   * A quota's requests in runs of equal terms (cost, maxWait, headroomPerMille), each decided on freshly
   * loaded state, as the wire sends them to the scripts (acquire-wire) and the scripts decide.
   */
  #decideQuota(quota: StoreAcquire, record: boolean, named: boolean, now: number): StoreDecision[] {
    const decisions: StoreDecision[] = [];
    const { requests } = quota;
    for (let from = 0; from < requests.length; ) {
      const head = requests[from] as StoreRequest;
      let end = from + 1;
      while (end < requests.length && sameTerms(requests[end] as StoreRequest, head)) end++;
      decisions.push(...this.#decideRun({ ...quota, requests: requests.slice(from, end) }, record, named, now));
      from = end;
    }
    return decisions;
  }

  slotOf(): number {
    return 0;
  }

  // The script's validation: a cost (or a concurrency slot) plus its headroom must fit each rule.
  #checkCosts(quota: StoreAcquire, record: boolean): void {
    const largest = Math.max(...quota.requests.map((r) => r.cost));
    quota.rules.forEach((rule, i) => {
      if (largest > rule.capacity) {
        throw new Error(`ERR sluice: cost ${largest} exceeds the capacity ${rule.capacity} of limit ${i + 1}`);
      }
      for (const request of quota.requests) {
        const headroom = Math.floor((rule.size * request.headroomPerMille) / 1000);
        const need = rule.leased ? 1 : request.cost;
        if (record && need + headroom > rule.size) {
          throw new Error(`ERR sluice: cost ${need} plus the headroom ${headroom} can never fit limit ${i + 1}`);
        }
      }
    });
  }

  /** Requests of one quota with equal terms, in order; `named`: a named request's call. */
  #decideRun(batch: StoreAcquire, record: boolean, named: boolean, now: number): StoreDecision[] {
    // The arrival part is loaded first: its margin and share widen the other limits.
    const arrival = batch.arrival === undefined ? undefined : this.#loadArrival(batch.arrival, now);
    const first = batch.requests[0] as StoreRequest;
    const limits = batch.rules.map((rule, i) => {
      const [kind, a, b, c] = rule.wire;
      const model = models[kind] as ModelAlgorithm<unknown>;
      const key = batch.keys.limits[i] as string;
      const configured: Spec = [a, b, c];
      let spec = configured;
      const cap = arrival?.spec[2] ?? 0;
      if (
        arrival !== undefined &&
        model.widen !== undefined &&
        (arrival.state.m > 0 || arrival.state.e < 1000 || cap > 0)
      ) {
        const need = first.cost + Math.floor((model.size(configured) * first.headroomPerMille) / 1000);
        spec = model.widen(configured, arrival.state.m, arrival.state.e, need, first.maxWaitUs !== 0, cap);
      }
      return { model, configured, spec, key, state: model.load(this.#read(key, now), spec, now) };
    });
    const paused = (this.#read(batch.keys.pause, now) as number | undefined) ?? 0;

    const decide = (
      request: StoreRequest,
    ): { settled: boolean; waitUs: number; blocking: number; queueable: boolean } => {
      const headrooms = limits.map((limit) =>
        Math.floor((limit.model.size(limit.configured) * request.headroomPerMille) / 1000),
      );
      let slot = Math.max(now, paused);
      let blocking = paused > now ? -1 : 0;
      // As lua/includes/acquire-decide.lua: exact logs look for gaps in the first GAP_PASSES passes.
      for (let pass = 1; pass <= 64; pass++) {
        let moved = false;
        for (const [i, limit] of limits.entries()) {
          const at = limit.model.earliest(
            limit.state,
            limit.spec,
            request.cost,
            slot,
            headrooms[i] ?? 0,
            pass <= GAP_PASSES,
          );
          if (typeof at !== "number")
            return { settled: false, waitUs: Math.max(0, at.next - now), blocking: i + 1, queueable: false };
          if (at > slot) [slot, blocking, moved] = [at, i + 1, true];
        }
        // As the scripts: a request that cannot wait (maxWait 0) is not paced.
        if (arrival !== undefined && request.maxWaitUs !== 0) {
          const at = arrivalModel.earliest(arrival.state, arrival.spec, slot);
          if (at > slot) [slot, blocking, moved] = [at, limits.length + 1, true];
        }
        if (!moved) return { settled: true, waitUs: slot - now, blocking, queueable: true };
      }
      return { settled: false, waitUs: slot - now, blocking, queueable: true };
    };

    let busy = false;
    const decisions = batch.requests.map((request): StoreDecision => {
      const { settled, waitUs, blocking, queueable } = decide(request);
      const admitted = settled && (request.maxWaitUs < 0 || waitUs <= request.maxWaitUs);
      if (admitted && record) {
        for (const limit of limits) {
          const expiresAt = limit.model.commit(
            limit.state,
            limit.spec,
            request.cost,
            now + waitUs,
            request.id,
            now,
            named,
          );
          this.#write(limit.key, limit.state, expiresAt);
        }
        if (request.maxWaitUs !== 0) arrival?.commit(now + waitUs);
        busy ||= waitUs > 0 && request.maxWaitUs !== 0;
      }
      return {
        admitted,
        waitUs,
        nowUs: now,
        blocking,
        queueable,
        limits: limits.map((limit) => {
          const [remaining, resetUs] = limit.model.report(limit.state, limit.spec, now);
          return { remaining, resetUs };
        }),
        arrival: arrival === undefined ? undefined : { marginUs: arrival.state.m, share: arrival.state.e },
      };
    });
    arrival?.settle(busy);
    return decisions;
  }

  /** A quota's arrival spec and its state at `now`. */
  #readArrival(part: ArrivalPart, now: number): { spec: ArrivalSpec; state: ArrivalState } {
    const [, margin, pace, cap] = part.wire;
    const spec: ArrivalSpec = [margin, pace, cap];
    return { spec, state: arrivalModel.load(this.#read(part.key, now) as ArrivalState | undefined, spec, now) };
  }

  /** A quota's arrival state, with the steps that change it and write it back. */
  #loadArrival(part: ArrivalPart, now: number) {
    const { spec, state } = this.#readArrival(part, now);
    // As the script: only the slots of requests that may wait are paced and kept.
    let paced = false;
    return {
      spec,
      state,
      commit: (t: number) => {
        arrivalModel.commit(state, t);
        paced = true;
      },
      settle: (busy: boolean) => {
        if (!paced) return;
        arrivalModel.settle(state, spec, busy, now);
        this.#write(part.key, state, now + arrivalKeepUs(state, spec, now));
      },
    };
  }

  async report(part: ArrivalPart, report: StoreReport, nowUs?: number): Promise<StoreLearned> {
    const now = nowUs ?? this.#clock();
    const { spec, state } = this.#readArrival(part, now);
    const before = { ...state };
    const learned = arrivalModel.learn(state, spec, report, now);
    // As the script: written only when the report changed something.
    const changed = (Object.keys(state) as Array<keyof ArrivalState>).some((field) => state[field] !== before[field]);
    if (changed) this.#write(part.key, state, now + arrivalKeepUs(state, spec, now));
    return learned;
  }

  // Like the script, a refund applies to whatever is stored, read by no clock: state past its
  // time is ignored by the next load anyway.
  async cancel(request: StoreCancel): Promise<void> {
    request.rules.forEach((rule, i) => {
      const [kind, a, b, c] = rule.wire;
      const model = models[kind] as ModelAlgorithm<unknown>;
      const key = request.keys.limits[i] as string;
      const cell = this.#cells.get(key);
      if (cell === undefined) return;
      const spec: Spec = [a, b, c];
      const state = model.refund(
        cell.value,
        spec,
        request.cost,
        request.slotUs,
        request.id,
        request.resetsUs[i] ?? 0,
        request.named === true,
      );
      if (state === undefined) return;
      this.#cells.set(key, { value: state, expiresAt: cell.expiresAt });
      if (rule.leased) this.#notify(key);
    });
    if (request.named === true) this.#cells.delete(callKey(request.keys, request.id));
  }

  async release(keys: readonly string[], id: string): Promise<number> {
    const now = this.#clock();
    let released = 0;
    for (const key of keys) {
      const leases = this.#read(key, now) as Map<string, number> | undefined;
      if (leases?.delete(id)) {
        released++;
        this.#notify(key);
      }
    }
    return released;
  }

  async pause(key: string, durationUs: number, nowUs?: number): Promise<number> {
    const now = nowUs ?? this.#clock();
    const current = (this.#read(key, now) as number | undefined) ?? 0;
    const until = now + durationUs;
    if (current >= until) return current;
    this.#write(key, until, until);
    return until;
  }

  async reset(keys: readonly string[]): Promise<number> {
    const now = this.#clock();
    let deleted = 0;
    for (const key of keys) {
      if (this.#read(key, now) !== undefined) deleted++;
      this.#cells.delete(key);
    }
    return deleted;
  }

  async tighten(key: string, rule: Rule, remaining: number, id: string, nowUs?: number): Promise<number> {
    const now = nowUs ?? this.#clock();
    const [kind, a, b, c] = rule.wire;
    const model = models[kind] as ModelAlgorithm<unknown>;
    const spec: Spec = [a, b, c];
    const state = model.load(this.#read(key, now), spec, now);
    const spend = model.report(state, spec, now)[0] - remaining;
    if (spend <= 0) return 0;
    this.#write(key, state, model.commit(state, spec, spend, now, id, now));
    return spend;
  }

  async note(key: string, event: string, keep: number, ttlMs: number): Promise<void> {
    const now = this.#clock();
    const events = [event, ...((this.#read(key, now) as string[] | undefined) ?? [])].slice(0, keep);
    this.#write(key, events, now + ttlMs * 1000);
  }

  async onRelease(key: string, listener: () => void): Promise<() => void> {
    const set = this.#listeners.get(key) ?? new Set();
    this.#listeners.set(key, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(key);
    };
  }

  #notify(key: string): void {
    for (const listener of this.#listeners.get(key) ?? []) listener();
  }
}
