import type { ArrivalPart } from "./arrival.js";
import type { Rule } from "./rules/rule.js";

/** The keys of one quota: its pause key, one key per rule and its event history, in one hash slot. */
export interface QuotaKeys {
  /** `<prefix>:{<name>}:`, what every key of the quota starts with. */
  readonly base: string;
  readonly pause: string;
  readonly limits: readonly string[];
  readonly events: string;
}

/** One acquire of a batch. */
export interface StoreRequest {
  /** Unique per acquire: names its log entries and its concurrency lease. */
  readonly id: string;
  readonly cost: number;
  /** Microseconds the caller accepts to wait; -1 for no bound. */
  readonly maxWaitUs: number;
  /** Per mille of each limit this request must leave free for higher priorities (0 = highest). */
  readonly headroomPerMille: number;
}

/** One quota's share of an acquire call: its requests, decided in order. */
export interface StoreAcquire {
  readonly keys: QuotaKeys;
  readonly rules: readonly Rule[];
  /** The quota's arrival part (margin, share, pacing), decided with its rules; absent: none. */
  readonly arrival?: ArrivalPart | undefined;
  readonly requests: readonly StoreRequest[];
}

/** How a call decides. */
export interface StoreCall {
  /** false to report only (state()). */
  readonly record: boolean;
  /**
   * A named request (`acquire({ id })`), alone in its call: the store keeps the reply of a call
   * that admitted it for a long while (an hour by default) and answers a call with the same
   * first request id from it, while every lease it granted is held, marking its decisions
   * `replayed`. A denial is not kept.
   */
  readonly remember?: boolean;
  /** Test-only clock override in microseconds; production always uses the store's own clock. */
  readonly nowUs?: number;
}

/** The script's reply, decoded. Times in microseconds. */
export interface StoreDecision {
  readonly admitted: boolean;
  readonly waitUs: number;
  readonly nowUs: number;
  /**
   * `nowUs` on this process's clock (`localMicros`), when the store can tell (Redis: through
   * the estimated offset between the clocks); sleeping to a slot aims at it. Absent: the
   * decision's own clock is this process's, or unknown.
   */
  readonly localNowUs?: number | undefined;
  /** 0 none, -1 the pause, i (1-based) the rule that set the slot or is full. */
  readonly blocking: number;
  /** false when a full concurrency rule denied: wait for a release instead. */
  readonly queueable: boolean;
  readonly limits: ReadonlyArray<{ readonly remaining: number; readonly resetUs: number }>;
  /** The arrival figures the decision was made with, when the quota has an arrival part. */
  readonly arrival?: StoreArrival | undefined;
  /**
   * The first decision of a named call (`StoreCall.remember`), answered again from memory:
   * made at `nowUs`, earlier, and spent nothing now.
   */
  readonly replayed?: true;
}

/** A quota's learned arrival figures. */
export interface StoreArrival {
  readonly marginUs: number;
  /** Per mille of every configured limit in force. */
  readonly share: number;
}

/** What a process reports to a quota's arrival part (lua/feedback.lua). */
export interface StoreReport {
  /**
   * `"late"`: the largest lateness measured lately; `"limited"`: a 429 nothing explains;
   * `"foreign"`: the server counts more than Sluice spent.
   */
  readonly kind: "late" | "limited" | "foreign";
  /** Store time (µs) at which the reported request's grant was decided. */
  readonly decidedUs: number;
  /** Microseconds from the request's slot to its answer. */
  readonly latenessUs: number;
}

/** What a report changed: 0 nothing, 1 the margin grew, 2 the share fell; then the figures in force. */
export interface StoreLearned extends StoreArrival {
  readonly change: 0 | 1 | 2;
}

/** Gives back an unused admission (the caller aborted before its slot). */
export interface StoreCancel {
  readonly keys: QuotaKeys;
  readonly rules: readonly Rule[];
  readonly id: string;
  readonly cost: number;
  readonly slotUs: number;
  /** The per-rule reset the acquire reported (a token bucket refunds only if unchanged). */
  readonly resetsUs: readonly number[];
  /**
   * The acquire was a named call (`StoreCall.remember`): its remembered reply is forgotten with
   * the refund, so that a retry under the same id is decided afresh.
   */
  readonly named?: boolean;
}

/**
 * Where quota state lives: Redis (through the scripts) or memory (the reference model).
 * Both implement the same semantics; the conformance suite runs against each.
 */
export interface Store {
  /**
   * Decides the requests of each quota, quotas in order, exactly as separate calls at one
   * instant would; one decision list per quota. Only quotas whose keys have the same
   * `slotOf` may share a call.
   */
  acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]>;
  /** The Cluster hash slot of a key (0 when there is no Cluster): what may share a call. */
  slotOf(key: string): number;
  cancel(request: StoreCancel): Promise<void>;
  /** Frees a lease on the given concurrency keys; resolves to how many it was held on. */
  release(keys: readonly string[], id: string): Promise<number>;
  /** Pauses until now + durationUs unless a longer pause is in force; resolves to the end. */
  pause(key: string, durationUs: number, nowUs?: number): Promise<number>;
  reset(keys: readonly string[]): Promise<number>;
  /**
   * Spends now whatever the rule at `key` believes remains above `remaining` (the server's
   * figure); never loosens. Resolves to the units spent.
   */
  tighten(key: string, rule: Rule, remaining: number, id: string, nowUs?: number): Promise<number>;
  /** Learns from a report about a quota's arrival part (see `StoreReport`). */
  report(arrival: ArrivalPart, report: StoreReport, nowUs?: number): Promise<StoreLearned>;
  /** Appends `event` to the list at `key`, keeping the newest `keep` for `ttlMs` after the last. */
  note(key: string, event: string, keep: number, ttlMs: number): Promise<void>;
  /**
   * Calls `listener` whenever a lease on `key` is released. Resolves once listening (so a
   * release after that is never missed) to a function that stops listening. Absent when the
   * store cannot tell (no pub/sub over HTTP): waiters ask again at the earliest lease expiry or
   * after a short backoff, whichever is sooner.
   */
  readonly onRelease?: ((key: string, listener: () => void) => Promise<() => void>) | undefined;
}
