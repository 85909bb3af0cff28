import type { Connection } from "../redis-targets.js";
import type { ServerLimitKind } from "./server-limits.js";

/** What a caller got for one request, and the slots the limiter handed out for its attempts. */
export interface Answered {
  /** The status the caller saw: after the contender's own retries, if it makes any. */
  readonly status: number;
  /** The slot of each attempt (epoch ms on the limiter's clock), when the limiter reports them. */
  readonly slots: readonly number[];
}

/** One contender in one process, as its callers use it: ask for a request, get an answer. */
export interface ShareClient {
  /**
   * Gets one request to the shared API answered the contender's way. A contender that leaves
   * retrying to its caller stops retrying at `giveUpAt` (`performance.now()` time).
   */
  request(giveUpAt: number): Promise<Answered>;
  /** Stops what the limiter keeps running (Bottleneck's subscription and heartbeat). */
  close(): Promise<void>;
}

export interface ClientContext {
  readonly redis: Connection;
  readonly quota: string;
  /** Where the requests go. */
  readonly url: string;
  /** The API's documented limit: `limit` per `windowMs`, counted as `kind`. */
  readonly kind: ServerLimitKind;
  readonly limit: number;
  readonly windowMs: number;
  /** Processes sharing the quota: only the per-process patterns use it, to split the quota. */
  readonly processes: number;
}

/** Sends one request, with its slot when known (the server measures how late it arrived), and answers the status. */
export async function send(to: string, slot: number | undefined): Promise<number> {
  const response = await fetch(to, slot === undefined ? undefined : { headers: { "x-slot": String(slot) } });
  await response.arrayBuffer();
  return response.status;
}
