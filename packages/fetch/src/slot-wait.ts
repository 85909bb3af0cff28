import type { Decision, Grant, Quota } from "@sluice/core";

/** A grant and how long the request waited for its slot. */
export interface TimedGrant {
  readonly grant: Grant;
  /** Ms from the store's first answer to the grant. */
  readonly waitedMs: number;
}

/**
 * Acquires a slot and times the wait for it from the store's first answer: the round trip to
 * the store, which every request pays, is no wait. A slot free at once waits ~0 ms, a slot
 * reserved ahead its `retryAfterMs`, a full concurrency limit until a release.
 */
export async function acquireTimed(
  quota: Quota,
  signal: AbortSignal | undefined,
  onFirstReply?: (decision: Decision) => void,
): Promise<TimedGrant> {
  // Set again by the first answer, which always comes before the grant.
  let answeredAt = performance.now();
  const grant = await quota.acquire({
    ...(signal && { signal }),
    onFirstReply: (decision) => {
      answeredAt = performance.now();
      onFirstReply?.(decision);
    },
  });
  return { grant, waitedMs: performance.now() - answeredAt };
}
