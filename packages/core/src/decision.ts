import type { Rule } from "./rules/rule.js";

/** The state of one rule after a decision. */
export interface LimitStatus {
  readonly rule: Rule;
  /** Units left now. A reservation ahead counts as spent, so this can be 0 while admitted. */
  readonly remaining: number;
  /**
   * Epoch ms at which the rule is fully available again: token bucket full, the last admission
   * out of the window, the fixed window over, or (concurrency) the earliest lease expiry.
   */
  readonly resetAt: number;
}

/**
 * The outcome of one acquire, decided atomically on the store's clock.
 * @example
 * // 11/s bucket, 12th call in the same instant with maxWait 0:
 * // { allowed: false, retryAfterMs: 91, redisTime: 1795434073251.316, ... }
 */
export interface Decision {
  readonly allowed: boolean;
  /**
   * Allowed: ms to wait before using the slot (0 = now; the slot is already reserved).
   * Denied: ms after which a retry may succeed. Always rounded UP to a whole millisecond, so
   * waiting exactly this long is enough.
   */
  readonly retryAfterMs: number;
  /** Epoch ms (microsecond precision) of the decision, on the store's clock. */
  readonly redisTime: number;
  /** Epoch ms of the admitted slot (`redisTime` plus the wait); `undefined` when denied. */
  readonly admittedAt: number | undefined;
  /** The latest `resetAt` of all rules. */
  readonly resetAt: number;
  /** What decided the wait or the denial: a rule, the shared pause, or nothing. */
  readonly blockedBy: Rule | "pause" | undefined;
  readonly limits: readonly LimitStatus[];
}

/** An admitted acquire; hand it back to `release` when the quota has concurrency rules. */
export interface Grant extends Decision {
  readonly allowed: true;
  readonly admittedAt: number;
  /** The lease id; identifies this grant to `release`. */
  readonly lease: string;
}

/** What `tryAcquire` answers: the decision and, when allowed, the lease id that holds it. */
export interface Attempt extends Decision {
  /** Identifies the grant to `release` when allowed (concurrency rules); unused when denied. */
  readonly lease: string;
}
