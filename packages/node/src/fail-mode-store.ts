import { type Rule, StoreUnavailableError } from "@sluice/core";
import {
  type ArrivalPart,
  MemoryStore,
  type Store,
  type StoreAcquire,
  type StoreCall,
  type StoreCancel,
  type StoreDecision,
  type StoreLearned,
  type StoreReport,
} from "@sluice/core/adapter";
import { scaleRule } from "./scale-rule.js";

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
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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

  constructor(inner: Store, options: FailModeOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async #guard<T>(
    operation: StoreFailureEvent["operation"],
    call: () => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    try {
      return await withTimeout(call(), this.#options.timeoutMs);
    } catch (caught) {
      const error = asError(caught);
      const { failMode, onEvent } = this.#options;
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
        scaled = scaleRule(rule, this.#options.localShare);
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

  onRelease(key: string, listener: () => void): Promise<() => void> {
    return this.#guard(
      "listen",
      () => this.#inner.onRelease(key, listener),
      () => this.#memory.onRelease(key, listener),
    );
  }
}
