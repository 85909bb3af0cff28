/** The first and the longest wait between two asks of a waiter that hears of no release (ms). */
export const RELEASE_POLL_MS = { first: 50, most: 1000 } as const;

/**
 * How long a waiter on a full concurrency limit waits before asking again when the store cannot
 * tell it of releases (no pub/sub over HTTP): 50 ms, doubling to 1 s. A release is then seen
 * within a second at worst, and a long wait costs about one request a second.
 * @example releasePollMs(0) // 50; releasePollMs(2) // 200; releasePollMs(9) // 1000
 */
export function releasePollMs(asked: number): number {
  return Math.min(RELEASE_POLL_MS.most, RELEASE_POLL_MS.first * 2 ** Math.min(asked, 30));
}
