import type { Decision, Feedback, Grant, Quota } from "@sluice/core";
import { sleep } from "@sluice/core/adapter";
import { fullJitterDelay } from "./backoff.js";
import { ResponseCache } from "./cache/response-cache.js";
import { callSignal } from "./call-signal.js";
import type { PoolKey } from "./credential-pool.js";
import { RetryAfterTooLongError } from "./errors/retry-after-too-long-error.js";
import { UnmatchedRequestError } from "./errors/unmatched-request-error.js";
import type { FetchEvent } from "./fetch-event.js";
import { type FetchStats, StatsTable } from "./fetch-stats.js";
import type { FetchOptions } from "./options.js";
import { attemptRequest, type PreparedRequest, prepareRequest } from "./prepare-request.js";
import { releaseOnBodyEnd } from "./release-on-body-end.js";
import { resolveOptions } from "./resolve-options.js";
import { isRetryableNetworkError, isRetryableStatus } from "./retry-policy.js";
import { type RequestPlan, RouteTable } from "./route-table.js";

/** A fetch that spends its routes' quotas; same signature as the global `fetch`. */
export interface LimitedFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Counters per route group (quota name) since creation. */
  stats(): Readonly<Record<string, FetchStats>>;
}

/** A grant a request holds, in one quota. */
interface Held {
  readonly quota: Quota;
  readonly grant: Decision & Pick<Grant, "lease">;
  /** Whether it holds a concurrency slot, released when the answer's body ends. */
  readonly leased: boolean;
  /** Whether it is the credential key's grant. */
  readonly ofKey: boolean;
}

interface Slots {
  readonly held: readonly Held[];
  readonly key: PoolKey | undefined;
}

/** Retry bookkeeping of one call. */
interface Attempts {
  readonly startedAt: number;
  retries: number;
}

/** The verdict "try again", after `sleepMs`. */
interface Retry {
  readonly sleepMs: number;
}

/** An answer, and the cache key to store it under (a miss) or `undefined`. */
interface Sent {
  readonly response: Response;
  readonly request: Request;
  readonly storeAs: string | undefined;
}

interface Call {
  readonly prepared: PreparedRequest;
  readonly plan: RequestPlan;
  readonly method: string;
  /** Origin and path, for events and errors. */
  readonly url: string;
  readonly signal: AbortSignal;
  readonly groups: readonly string[];
}

const hasConcurrency = (quota: Quota): boolean => quota.rules.some((rule) => rule.kind === "concurrency");

const publicUrl = (url: URL): string => `${url.origin}${url.pathname}`;

function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
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
  const config = resolveOptions(options);
  const table = new RouteTable(config.limiter, options.routes, {
    maxLateness: config.maxLatenessMs,
    ...config.arrival,
  });
  const stats = new StatsTable(config.cache !== undefined);
  const emit = (event: FetchEvent): void => {
    try {
      config.onEvent?.(event);
    } catch {
      // An observer must never break the request it observes.
    }
  };
  const cache =
    config.cache === undefined
      ? undefined
      : new ResponseCache(config.cache, (operation, error, request) =>
          emit({
            type: "cache-error",
            operation,
            message: error instanceof Error ? error.message : String(error),
            method: request.method,
            url: publicUrl(new URL(request.url)),
          }),
        );

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
      const prepared = await prepareRequest(request, init);
      const call: Call = {
        prepared,
        plan,
        method: request.method,
        url: publicUrl(url),
        signal: timed.signal,
        groups: plan.groups.map((group) => group.name),
      };
      if (cache === undefined || !cache.accepts(prepared.base)) return await run(call);
      sent = await runCached(cache, call);
    } finally {
      timed.done();
    }
    // After the timeout is cleared: it covers the headers only, and storing reads the body.
    if (cache !== undefined && sent.storeAs !== undefined) {
      await cache.store(sent.storeAs, sent.request, sent.response);
    }
    return sent.response;
  }

  /**
   * A fresh cached answer costs no slot; a stale one with a validator is sent as a conditional
   * request through the normal path (a slot is spent) and a 304 answers from the cache.
   */
  async function runCached(cache: ResponseCache, call: Call): Promise<Sent> {
    const request = call.prepared.base;
    const lookup = await cache.lookup(request);
    if (lookup.kind === "fresh") {
      stats.add(call.groups, "cacheHits");
      emit({ type: "cache-hit", source: "hit", method: call.method, url: call.url });
      return { response: lookup.response, request, storeAs: undefined };
    }
    if (lookup.kind === "miss") return { response: await run(call), request, storeAs: lookup.key };
    const headers = new Headers(request.headers);
    lookup.conditionals.forEach((value, name) => {
      headers.set(name, value);
    });
    const conditional: Call = { ...call, prepared: { ...call.prepared, base: new Request(request, { headers }) } };
    const response = await run(conditional);
    if (response.status !== 304) return { response, request, storeAs: lookup.key };
    discard(response);
    const answer = await cache.revalidated(lookup.entry, request, response).catch(() => undefined);
    if (answer === undefined) return { response: await run(call), request, storeAs: lookup.key };
    stats.add(call.groups, "cacheRevalidated");
    emit({ type: "cache-hit", source: "revalidated", method: call.method, url: call.url });
    return { response: answer, request, storeAs: undefined };
  }

  async function acquire(call: Call): Promise<Slots> {
    const held: Held[] = [];
    const waited = (quota: string, group: string, ms: number): void => {
      stats.add([group], "waitedMs", ms);
      if (ms >= 1) emit({ type: "wait", quota, waitedMs: ms, method: call.method, url: call.url });
    };
    try {
      for (const group of call.plan.groups) {
        if (group.quota === undefined) continue;
        const startedAt = performance.now();
        const grant = await group.quota.acquire({ signal: call.signal });
        held.push({ quota: group.quota, grant, leased: group.leased, ofKey: false });
        waited(group.name, group.name, performance.now() - startedAt);
      }
      const pool = call.plan.pool;
      if (pool === undefined) return { held, key: undefined };
      const picked = await pool.pick(call.signal);
      const { quota } = picked.key;
      held.push({ quota, grant: picked.grant, leased: hasConcurrency(quota), ofKey: true });
      waited(quota.name, pool.group, picked.waitedMs);
      return { held, key: picked.key };
    } catch (error) {
      release(held);
      throw error;
    }
  }

  function release(held: readonly Held[]): void {
    // A failed release only delays the slot until its lease expires; it must not fail the call.
    for (const { quota, grant, leased } of held) if (leased) quota.release(grant).catch(() => {});
  }

  function deliver(response: Response, held: readonly Held[]): Response {
    return held.some((h) => h.leased) ? releaseOnBodyEnd(response, () => release(held)) : response;
  }

  /** The grants an answer speaks about: the key's when a key was used, else the groups'. */
  function answered(slots: Slots): Held[] {
    return slots.held.filter((h) => h.ofKey === (slots.key !== undefined));
  }

  async function run(call: Call): Promise<Response> {
    const { method, signal, prepared } = call;
    const send = config.fetch ?? globalThis.fetch;
    const attempts: Attempts = { startedAt: performance.now(), retries: 0 };

    for (;;) {
      const slots = await acquire(call);
      const { held, key } = slots;
      let request: Request;
      try {
        const headers = new Headers(prepared.base.headers);
        if (key !== undefined) call.plan.pool?.apply(key, headers);
        request = attemptRequest(prepared, headers, signal);
      } catch (error) {
        release(held);
        throw error;
      }
      let response: Response;
      try {
        stats.add(call.groups, "sent");
        response = await send(request);
      } catch (error) {
        release(held);
        if (signal.aborted) throw signal.reason;
        const { retry } = config;
        if (!(error instanceof TypeError) || !isRetryableNetworkError(method, retry.nonIdempotent)) throw error;
        const delayMs = fullJitterDelay(attempts.retries, retry.baseDelayMs, retry.maxDelayMs);
        if (!canRetry(call, attempts, delayMs)) throw error;
        scheduleRetry(call, attempts, "network", delayMs);
        await sleep(delayMs, signal);
        continue;
      }

      let next: Response | Retry;
      try {
        next = await judge(call, attempts, response, slots);
      } catch (error) {
        discard(response);
        release(held);
        throw error;
      }
      if (next instanceof Response) return deliver(next, held);
      discard(response);
      release(held);
      if (next.sleepMs > 0) await sleep(next.sleepMs, signal);
    }
  }

  const canRetry = (call: Call, attempts: Attempts, delayMs: number): boolean =>
    call.prepared.replayable &&
    attempts.retries < config.retry.limit &&
    performance.now() - attempts.startedAt + delayMs <= config.retry.maxElapsedMs;

  function scheduleRetry(call: Call, attempts: Attempts, reason: number | "network", delayMs: number): void {
    attempts.retries++;
    stats.add(call.groups, "retried");
    emit({ type: "retry", attempt: attempts.retries, reason, delayMs, method: call.method, url: call.url });
  }

  /** What an answer means: give it to the caller, or retry after `sleepMs` (acquiring again first). */
  async function judge(call: Call, attempts: Attempts, response: Response, slots: Slots): Promise<Response | Retry> {
    const { retry } = config;
    const { method } = call;
    const { status } = response;
    const { key } = slots;
    const pool = call.plan.pool;
    if ((status === 401 || status === 403) && key !== undefined && pool !== undefined) {
      pool.quarantine(key);
      emit({
        type: "quarantine",
        quota: pool.group,
        keyId: key.id,
        status,
        durationMs: pool.quarantineMs,
        method,
        url: call.url,
      });
      // Another key is not a repeat of the same call, so it costs no retry; each refusal
      // quarantines a key, which bounds the loop by the pool size.
      return call.prepared.replayable && pool.hasOtherThan(key) ? { sleepMs: 0 } : response;
    }
    const limited = status === 429 || status === 503;
    if (!limited && isRetryableStatus(status, method, retry.nonIdempotent)) {
      const delayMs = fullJitterDelay(attempts.retries, retry.baseDelayMs, retry.maxDelayMs);
      if (!canRetry(call, attempts, delayMs)) return response;
      scheduleRetry(call, attempts, status, delayMs);
      return { sleepMs: delayMs };
    }
    const targets = answered(slots);
    // Best effort: a store that fails here must not fail the answer (a 429 then backs off).
    const verdicts = await Promise.all(
      targets.map(({ quota, grant }) =>
        quota.feedback(grant, response, { onExhausted: config.onExhausted }).catch(() => undefined),
      ),
    );
    const paused = targets.filter((_, i) => (verdicts[i]?.pausedMs ?? 0) > 0).map((h) => h.quota.name);
    const pausedMs = Math.max(0, ...verdicts.map((v) => v?.pausedMs ?? 0));
    if (!limited) {
      if (paused.length > 0) {
        emit({ type: "exhausted", quotas: paused, waitMs: pausedMs, status, keyId: key?.id, method, url: call.url });
      }
      return response;
    }
    const waitMs = verdicts.find((v) => v?.serverWaitMs !== undefined)?.serverWaitMs;
    if (status === 429) {
      stats.add(call.groups, "rateLimited");
      const cause = verdicts.find((v) => v !== undefined)?.cause ?? "server-wait";
      emit({ type: "rate-limited", quotas: paused, waitMs, cause, keyId: key?.id, method, url: call.url });
    }
    // The quotas learned or paused, so the next acquire gives this request its next slot, in
    // every process; without an answer from the store, back off first.
    const learned = verdicts.length > 0 && verdicts.every((v): v is Feedback => v !== undefined);
    const ownMs = learned ? 0 : fullJitterDelay(attempts.retries, retry.baseDelayMs, retry.maxDelayMs);
    const delayMs = Math.max(ownMs, pausedMs);
    if (delayMs > retry.maxDelayMs) throw new RetryAfterTooLongError(status, delayMs, retry.maxDelayMs);
    if (!canRetry(call, attempts, delayMs)) return response;
    scheduleRetry(call, attempts, status, delayMs);
    return { sleepMs: ownMs };
  }

  return Object.assign(limitedFetch, { stats: () => stats.snapshot() });
}
