import type { FetchEvent } from "./fetch-event.js";
import type { StatsTable } from "./fetch-stats.js";
import type { PreparedRequest } from "./prepare-request.js";
import type { ResolvedOptions } from "./resolve-options.js";
import { type AttemptFacts, isIdempotent } from "./retry-policy.js";
import type { RequestPlan } from "./route-table.js";

/** What every call of one `createFetch` shares. */
export interface FetchContext {
  readonly config: ResolvedOptions;
  readonly stats: StatsTable;
  /** Hands an event to `onEvent`; never throws. */
  readonly emit: (event: FetchEvent) => void;
}

/** One call of a limited fetch: its request, ready to be sent again, and what it spends. */
export interface Call {
  readonly prepared: PreparedRequest;
  readonly plan: RequestPlan;
  readonly method: string;
  /** Origin and path, for events and errors. */
  readonly url: string;
  /** The caller's signal with the `timeout`. */
  readonly signal: AbortSignal;
  /** Names of the route groups, for the stats. */
  readonly groups: readonly string[];
}

/** Retry bookkeeping of one call. */
export interface Attempts {
  readonly startedAt: number;
  retries: number;
}

/** Where the call stands now, for the retry policy. */
export const attemptFacts = (call: Call, attempts: Attempts): AttemptFacts => ({
  retries: attempts.retries,
  elapsedMs: performance.now() - attempts.startedAt,
  replayable: call.prepared.replayable,
  idempotent: isIdempotent(call.method),
});

/** Drops an answer nobody reads, so its connection is freed. */
export function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}
