import { ResponseCache } from "./cache/response-cache.js";
import { runCached, type Sent } from "./cached-call.js";
import { callSignal } from "./call-signal.js";
import { UnmatchedRequestError } from "./errors/unmatched-request-error.js";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent } from "./fetch-event.js";
import { type FetchStats, StatsTable } from "./fetch-stats.js";
import type { FetchOptions } from "./options.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";
import { RouteTable } from "./route-table.js";
import { runCall } from "./run-call.js";

/** A fetch that spends its routes' quotas; same signature as the global `fetch`. */
export interface LimitedFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Counters per route group (quota name) since creation. */
  stats(): Readonly<Record<string, FetchStats>>;
}

const publicUrl = (url: URL): string => `${url.origin}${url.pathname}`;

function contextOf(options: FetchOptions): FetchContext {
  const config = resolveOptions(options);
  const emit = (event: FetchEvent): void => {
    try {
      config.onEvent?.(event);
    } catch {
      // An observer must never break the request it observes.
    }
  };
  return { config, stats: new StatsTable(config.cache !== undefined), emit };
}

function cacheOf({ config, emit }: FetchContext): ResponseCache | undefined {
  if (config.cache === undefined) return undefined;
  return new ResponseCache(config.cache, (operation, error, request) =>
    emit({
      type: "cache-error",
      operation,
      message: error instanceof Error ? error.message : String(error),
      method: request.method,
      url: publicUrl(new URL(request.url)),
    }),
  );
}

/**
 * Creates a fetch that waits for a slot in every quota its request matches, tells each quota what
 * the server answered (`Quota.feedback`: a 429 teaches the arrival margin or share, a 503 or a
 * long wait pauses every process), and retries with backoff.
 * @example
 * const limitedFetch = createFetch({
 *   limiter,
 *   routes: [{ match: "https://api.example.com/", quota: "example", limits: [slidingWindow({ limit: 100, window: "1s" })] }],
 * });
 * const res = await limitedFetch("https://api.example.com/v2/items/1");
 */
export function createFetch(options: FetchOptions): LimitedFetch {
  const context = contextOf(options);
  const { config } = context;
  const table = new RouteTable(config.limiter, options.routes, {
    maxLateness: config.maxLatenessMs,
    ...config.arrival,
  });
  const cache = cacheOf(context);
  const run = (call: Call): Promise<Response> => runCall(call, context);

  async function limitedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const plan = table.plan(url, request.method);
    if (plan === undefined) {
      if (config.unmatched === "reject") throw new UnmatchedRequestError(request.method, publicUrl(url));
      return (config.fetch ?? globalThis.fetch)(request);
    }
    const timed = callSignal(request.signal, config.timeoutMs);
    let sent: Sent;
    try {
      const call: Call = {
        prepared: await prepareRequest(request, init),
        plan,
        method: request.method,
        url: publicUrl(url),
        signal: timed.signal,
        groups: plan.groups.map((group) => group.name),
      };
      if (cache === undefined || !cache.accepts(call.prepared.base)) return await run(call);
      sent = await runCached(cache, call, context, run);
    } finally {
      timed.done();
    }
    // After the timeout is cleared: it covers the headers only, and storing reads the body.
    if (cache !== undefined && sent.storeAs !== undefined) {
      await cache.store(sent.storeAs, sent.request, sent.response);
    }
    return sent.response;
  }

  return Object.assign(limitedFetch, { stats: () => context.stats.snapshot() });
}
