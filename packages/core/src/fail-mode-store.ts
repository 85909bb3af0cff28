import type { ArrivalPart } from "./arrival.js";
import { CallTimeouts } from "./call-timeouts.js";
import { isSluiceError } from "./errors/sluice-error.js";
import { StoreUnavailableError } from "./errors/store-unavailable-error.js";
import { StoreMetrics } from "./metrics.js";
import { MemoryStore } from "./model/memory-store.js";
import type { Rule } from "./rules/rule.js";
import { ruleKindOf } from "./rules/rule-kinds.js";
import type { Store, StoreAcquire, StoreCall, StoreCancel, StoreDecision, StoreLearned, StoreReport } from "./store.js";

/** What to do when Redis fails or is slower than `timeout`. */
export type FailMode = "closed" | "open" | "local";

/** Emitted when the store fails and `failMode` decides instead. Carries no secrets. */
export interface StoreFailureEvent {
  readonly type: "store-failure";
  readonly failMode: FailMode;
  readonly operation: "acquire" | "cancel" | "release" | "pause" | "reset" | "tighten" | "report" | "note" | "listen";
  readonly error: Error;
}

export interface FailModeOptions {
  readonly failMode: FailMode;
  readonly timeoutMs: number;
  readonly localShare: number;
  readonly onEvent: ((event: StoreFailureEvent) => void) | undefined;
  /**
   * The connection's latest error, if any. While Redis is down ioredis queues commands and
   * reconnects, so a call only times out: this error says why. Absent for a client whose calls
   * fail with their own error (HTTP).
   */
  readonly lastError?: (() => Error | undefined) | undefined;
}

/** The timeout's error: the connection's last error, made safe, is its cause and ends its message. */
function timedOut(ms: number, last: Error | undefined): StoreUnavailableError {
  if (last === undefined) return new StoreUnavailableError(`no answer within ${ms} ms`);
  const cause = asError(last);
  return new StoreUnavailableError(`no answer within ${ms} ms; last connection error: ${cause.message}`, { cause });
}

/**
 * The error as events and causes may carry it. ioredis errors hold the failed command with its
 * arguments, and AUTH's argument is the password: a copy keeps only the command's name, so
 * logging an event (JSON.stringify, util.inspect) never prints a secret.
 */
function asError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const command = (error as { command?: { name?: unknown } }).command;
  if (typeof command !== "object" || command === null) return error;
  const safe = new Error(error.message);
  safe.name = error.name;
  if (error.stack !== undefined) safe.stack = error.stack;
  return Object.assign(safe, { command: { name: command.name } });
}

/**
 * Wraps the Redis store: every call settles within the timeout, and a failure is turned into
 * what `failMode` promises: a typed error (closed), an admission (open), or a decision by an
 * in-memory limiter holding `localShare` of each limit (local).
 */
export class FailModeStore implements Store {
  readonly #inner: Store;
  readonly #options: FailModeOptions;
  readonly #memory = new MemoryStore();
  readonly #scaled = new WeakMap<Rule, Rule>();
  readonly #metrics: StoreMetrics;
  readonly #timeouts: CallTimeouts;

  constructor(inner: Store, options: FailModeOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#metrics = new StoreMetrics(options.failMode);
    this.#timeouts = new CallTimeouts(options.timeoutMs, () => timedOut(options.timeoutMs, options.lastError?.()));
    const listen = inner.onRelease;
    this.onRelease =
      listen === undefined
        ? undefined
        : (key, listener) =>
            this.#guard(
              "listen",
              () => listen.call(inner, key, listener),
              () => this.#memory.onRelease(key, listener),
            );
  }

  async #guard<T>(
    operation: StoreFailureEvent["operation"],
    call: () => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    const startedAt = performance.now();
    let verdict: unknown;
    const answer = call().catch((error: unknown) => {
      if (isSluiceError(error)) verdict = error;
      throw error;
    });
    try {
      const value = await this.#timeouts.bound(answer);
      this.#metrics.called(operation, performance.now() - startedAt);
      return value;
    } catch (caught) {
      this.#metrics.called(operation, performance.now() - startedAt, caught);
      // An error the store already typed (Redis refusing TIME) is its answer, not an outage:
      // no fallback could decide on Redis's clock either.
      if (caught === verdict) throw caught;
      const error = asError(caught);
      const { failMode, onEvent } = this.#options;
      this.#metrics.failed(operation);
      onEvent?.({ type: "store-failure", failMode, operation, error });
      if (failMode === "closed") {
        throw error instanceof StoreUnavailableError
          ? error
          : new StoreUnavailableError(error.message, { cause: error });
      }
      return fallback();
    }
  }

  #scale(rules: readonly Rule[]): Rule[] {
    return rules.map((rule) => {
      let scaled = this.#scaled.get(rule);
      if (scaled === undefined) {
        scaled = ruleKindOf(rule).scaled(rule, this.#options.localShare);
        this.#scaled.set(rule, scaled);
      }
      return scaled;
    });
  }

  /** Everything admitted now; remaining is unknown, reported as 0. */
  #open(quotas: readonly StoreAcquire[]): StoreDecision[][] {
    const nowUs = Date.now() * 1000;
    return quotas.map((quota) => {
      const limits = quota.rules.map(() => ({ remaining: 0, resetUs: nowUs }));
      return quota.requests.map(() => ({ admitted: true, waitUs: 0, nowUs, blocking: 0, queueable: true, limits }));
    });
  }

  #local(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    const scaled = quotas.map((quota) => {
      const rules = this.#scale(quota.rules);
      const largest = Math.max(...quota.requests.map((r) => r.cost));
      const tooBig = rules.find((rule) => largest > rule.capacity);
      if (tooBig) throw new StoreUnavailableError(`the local share of ${tooBig.label} cannot hold cost ${largest}`);
      return { ...quota, rules };
    });
    return this.#memory.acquire(scaled, call);
  }

  acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    return this.#guard(
      "acquire",
      () => this.#inner.acquire(quotas, call),
      async () => (this.#options.failMode === "open" ? this.#open(quotas) : this.#local(quotas, call)),
    );
  }

  slotOf(key: string): number {
    return this.#inner.slotOf(key);
  }

  cancel(request: StoreCancel): Promise<void> {
    return this.#guard(
      "cancel",
      () => this.#inner.cancel(request),
      () => this.#memory.cancel({ ...request, rules: this.#scale(request.rules) }),
    );
  }

  release(keys: readonly string[], id: string): Promise<number> {
    return this.#guard(
      "release",
      () => this.#inner.release(keys, id),
      () => this.#memory.release(keys, id),
    );
  }

  pause(key: string, durationUs: number, nowUs?: number): Promise<number> {
    return this.#guard(
      "pause",
      () => this.#inner.pause(key, durationUs, nowUs),
      () => this.#memory.pause(key, durationUs, nowUs),
    );
  }

  reset(keys: readonly string[]): Promise<number> {
    return this.#guard(
      "reset",
      () => this.#inner.reset(keys),
      () => this.#memory.reset(keys),
    );
  }

  tighten(key: string, rule: Rule, remaining: number, id: string, nowUs?: number): Promise<number> {
    return this.#guard(
      "tighten",
      () => this.#inner.tighten(key, rule, remaining, id, nowUs),
      () => this.#memory.tighten(key, this.#scale([rule])[0] as Rule, remaining, id, nowUs),
    );
  }

  report(arrival: ArrivalPart, report: StoreReport, nowUs?: number): Promise<StoreLearned> {
    return this.#guard(
      "report",
      () => this.#inner.report(arrival, report, nowUs),
      () => this.#memory.report(arrival, report, nowUs),
    );
  }

  note(key: string, event: string, keep: number, ttlMs: number): Promise<void> {
    return this.#guard(
      "note",
      () => this.#inner.note(key, event, keep, ttlMs),
      async () => {},
    );
  }

  /** The inner store's, guarded; absent when the inner store cannot tell of releases. */
  readonly onRelease: Store["onRelease"];
}
