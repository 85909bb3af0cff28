import type { Feedback } from "@sluice/core";

/** Fields every event carries. `url` is origin and path only: the query may hold secrets. */
interface EventBase {
  readonly method: string;
  readonly url: string;
}

/** The request waited for a slot (1 ms or more) in a route group or a credential key's quota. */
export interface WaitEvent extends EventBase {
  readonly type: "wait";
  /** Quota name: the route group, or `<group>:key:<id>` for a credential key. */
  readonly quota: string;
  /**
   * Ms from the store's first answer to the slot: a slot reserved ahead, or a full concurrency
   * limit waiting for a release. The round trip to the store is not counted.
   */
  readonly waitedMs: number;
}

/** Another attempt is scheduled. */
export interface RetryEvent extends EventBase {
  readonly type: "retry";
  /** 1 for the first retry. */
  readonly attempt: number;
  /** The status that caused it, or `"network"` for a network error. */
  readonly reason: number | "network";
  /** Ms until the next attempt may go (the server's wait or the backoff). */
  readonly delayMs: number;
}

/** The server answered 429. */
export interface RateLimitedEvent extends EventBase {
  readonly type: "rate-limited";
  /** The quotas paused because of it (none when the quotas learned from it instead). */
  readonly quotas: readonly string[];
  /** The wait the server asked for, if it said. */
  readonly waitMs: number | undefined;
  /**
   * What the quota made of it (`Quota.feedback`): `"delay-spread"` (the margin grew),
   * `"outside-spend"` (the share fell), `"same-burst"` (already learned), `"server-wait"` (paused).
   */
  readonly cause: Feedback["cause"];
  /** The credential key used, if any (its id, never its secret). */
  readonly keyId: string | undefined;
}

/**
 * An answer other than a 429 said the server's quota is spent (remaining 0 with a reset) and no
 * limit could be compared with the server's, so the quotas were paused until that reset
 * (`onExhausted: "pause"`).
 */
export interface ExhaustedEvent extends EventBase {
  readonly type: "exhausted";
  /** The quotas paused. */
  readonly quotas: readonly string[];
  /** Ms until the reset the server named. */
  readonly waitMs: number;
  readonly status: number;
  readonly keyId: string | undefined;
}

/** A credential key was refused (401/403) and is set aside locally. */
export interface QuarantineEvent extends EventBase {
  readonly type: "quarantine";
  readonly quota: string;
  readonly keyId: string;
  readonly status: number;
  readonly durationMs: number;
}

/** Answered from the response cache: `"hit"` without a request, `"revalidated"` after a 304. */
export interface CacheHitEvent extends EventBase {
  readonly type: "cache-hit";
  readonly source: "hit" | "revalidated";
}

/** The response cache failed (Redis down or slow); the request went on without it. */
export interface CacheErrorEvent extends EventBase {
  readonly type: "cache-error";
  readonly operation: "read" | "write";
  readonly message: string;
}

/** What `onEvent` receives. Never carries credential secrets. */
export type FetchEvent =
  | WaitEvent
  | RetryEvent
  | RateLimitedEvent
  | ExhaustedEvent
  | QuarantineEvent
  | CacheHitEvent
  | CacheErrorEvent;
