import type { ScriptClient } from "@sluice/core/adapter";
import calculateSlot from "cluster-key-slot";

/**
 * What Sluice uses of an ioredis `Redis` or `Cluster`, written out so that the classes of ioredis
 * 5 and of ioredis 6 both fit: the two majors' classes are not assignable to each other.
 */
export interface IoredisClient {
  readonly isCluster: boolean;
  /** `keyPrefix`: ioredis puts it before every key, but not before a channel name. */
  readonly options?: { readonly keyPrefix?: unknown };
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  duplicate(): IoredisClient;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  on(event: "error" | "node error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
  on(event: "message", listener: (channel: string) => void): unknown;
  off(event: "error" | "node error", listener: (error: Error) => void): unknown;
  off(event: "ready", listener: () => void): unknown;
  listeners(event: string): readonly unknown[];
}

/** The 'error' listeners of every IoredisScriptClient: several limiters may share one client. */
const ownListeners = new WeakSet<object>();

/**
 * The core's narrow script interface over an ioredis `Redis` or `Cluster`. Pub/sub needs a
 * connection of its own: it is duplicated from the client on the first listener and closed
 * when the last one stops, so an idle limiter keeps no extra socket (and no process alive).
 */
export class IoredisScriptClient implements ScriptClient {
  readonly #redis: IoredisClient;
  /** The client's `keyPrefix`: keys reach Redis with it, so the scripts publish on names that carry it. */
  readonly #keyPrefix: string;
  readonly #listeners = new Map<string, Set<() => void>>();
  #subscriber: IoredisClient | undefined;
  #lastError: Error | undefined;

  // While Redis is down ioredis queues commands and retries the connection: a call only times
  // out, and the reason (ECONNREFUSED, a DNS failure, a refused password) comes as an event.
  readonly #onError = (error: Error): void => {
    this.#lastError = error;
    // ioredis prints an error nobody listens to; listening here must not silence it for the app.
    const listeners = this.#redis.listeners("error");
    if (listeners[0] === this.#onError && listeners.every((listener) => ownListeners.has(listener as object))) {
      console.error("[ioredis] Unhandled error event:", error.stack);
    }
  };
  readonly #onNodeError = (error: Error): void => {
    this.#lastError = error;
  };
  readonly #onReady = (): void => {
    this.#lastError = undefined;
  };

  constructor(redis: IoredisClient) {
    this.#redis = redis;
    const keyPrefix = redis.options?.keyPrefix;
    this.#keyPrefix = keyPrefix === undefined || keyPrefix === null ? "" : String(keyPrefix);
    ownListeners.add(this.#onError);
    redis.on("error", this.#onError);
    // A Cluster reports a node's connection failure as "node error"; "error" only once all fail.
    redis.on("node error", this.#onNodeError);
    redis.on("ready", this.#onReady);
  }

  /**
   * The connection's latest error since it was last ready or answered a script, if any: the
   * likely cause of a timeout. (A Cluster stays ready while one node fails and recovers.)
   */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#answered(this.#redis.evalsha(sha1, keys.length, ...keys, ...args));
  }

  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#answered(this.#redis.eval(source, keys.length, ...keys, ...args));
  }

  async #answered(reply: Promise<unknown>): Promise<unknown> {
    const value = await reply;
    this.#lastError = undefined;
    return value;
  }

  slotOf(key: string): number {
    return this.#redis.isCluster ? calculateSlot(this.#keyPrefix + key) : 0;
  }

  async subscribe(key: string, listener: () => void): Promise<() => void> {
    // release.lua publishes on the key's name as Redis knows it
    const channel = this.#keyPrefix + key;
    const subscriber = this.#connectSubscriber();
    let listeners = this.#listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      try {
        await subscriber.subscribe(channel);
      } catch (error) {
        this.#listeners.delete(channel);
        this.#disconnectIfIdle();
        throw error;
      }
    }
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      this.#listeners.delete(channel);
      void subscriber.unsubscribe(channel).catch(() => {});
      this.#disconnectIfIdle();
    };
  }

  #connectSubscriber(): IoredisClient {
    if (this.#subscriber === undefined) {
      const subscriber = this.#redis.duplicate();
      subscriber.on("message", (channel: string) => {
        for (const listener of this.#listeners.get(channel) ?? []) listener();
      });
      // Errors surface through the commands that fail; an unhandled 'error' event would crash.
      subscriber.on("error", () => {});
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  #disconnectIfIdle(): void {
    if (this.#listeners.size > 0 || this.#subscriber === undefined) return;
    this.#subscriber.disconnect();
    this.#subscriber = undefined;
  }

  /**
   * Closes the pub/sub connection if one is open and stops listening to the client's events;
   * the user's client stays theirs to close.
   */
  close(): void {
    this.#listeners.clear();
    this.#disconnectIfIdle();
    this.#redis.off("error", this.#onError);
    this.#redis.off("node error", this.#onNodeError);
    this.#redis.off("ready", this.#onReady);
  }
}
