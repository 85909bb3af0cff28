import type { Rule } from "./rules/rule.js";

/** The keys of one quota: its pause key and one key per rule, all in one hash slot. */
export interface QuotaKeys {
  readonly pause: string;
  readonly limits: readonly string[];
}

/** One acquire of a batch. */
export interface StoreRequest {
  /** Unique per acquire: names its log entries and its concurrency lease. */
  readonly id: string;
  readonly cost: number;
  /** Microseconds the caller accepts to wait; -1 for no bound. */
  readonly maxWaitUs: number;
}

/**
 * A batch of acquires on one quota as the scripts see it, decided in order at one instant
 * (exactly as if sent one after the other). Times in microseconds.
 */
export interface StoreAcquire {
  readonly keys: QuotaKeys;
  readonly rules: readonly Rule[];
  readonly requests: readonly StoreRequest[];
  /** false to report only (state()). */
  readonly record: boolean;
  /** Test-only clock override; production always uses the store's own clock. */
  readonly nowUs?: number;
}

/** The script's reply, decoded. Times in microseconds. */
export interface StoreDecision {
  readonly admitted: boolean;
  readonly waitUs: number;
  readonly nowUs: number;
  /** 0 none, -1 the pause, i (1-based) the rule that set the slot or is full. */
  readonly blocking: number;
  /** false when a full concurrency rule denied: wait for a release instead. */
  readonly queueable: boolean;
  readonly limits: ReadonlyArray<{ readonly remaining: number; readonly resetUs: number }>;
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
}

/**
 * Where quota state lives: Redis (through the scripts) or memory (the reference model).
 * Both implement the same semantics; the conformance suite runs against each.
 */
export interface Store {
  /** Decides every request of the batch, in order; one decision per request. */
  acquire(batch: StoreAcquire): Promise<StoreDecision[]>;
  cancel(request: StoreCancel): Promise<void>;
  /** Frees a lease on the given concurrency keys; resolves to how many it was held on. */
  release(keys: readonly string[], id: string): Promise<number>;
  /** Pauses until now + durationUs unless a longer pause is in force; resolves to the end. */
  pause(key: string, durationUs: number, nowUs?: number): Promise<number>;
  reset(keys: readonly string[]): Promise<number>;
  /**
   * Calls `listener` whenever a lease on `key` is released. Resolves once listening (so a
   * release after that is never missed) to a function that stops listening.
   */
  onRelease(key: string, listener: () => void): Promise<() => void>;
}
