import type { ScriptClient } from "@sluice/core/adapter";
import calculateSlot from "cluster-key-slot";
import type { Cluster, Redis } from "ioredis";

/**
 * The core's narrow script interface over an ioredis `Redis` or `Cluster`. Pub/sub needs a
 * connection of its own: it is duplicated from the client on the first listener and closed
 * when the last one stops, so an idle limiter keeps no extra socket (and no process alive).
 */
export class IoredisScriptClient implements ScriptClient {
  readonly #redis: Redis | Cluster;
  readonly #listeners = new Map<string, Set<() => void>>();
  #subscriber: Redis | Cluster | undefined;

  constructor(redis: Redis | Cluster) {
    this.#redis = redis;
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#redis.evalsha(sha1, keys.length, ...keys, ...args);
  }

  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#redis.eval(source, keys.length, ...keys, ...args);
  }

  slotOf(key: string): number {
    return this.#redis.isCluster ? calculateSlot(key) : 0;
  }

  async subscribe(channel: string, listener: () => void): Promise<() => void> {
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

  #connectSubscriber(): Redis | Cluster {
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

  /** Closes the pub/sub connection if one is open; the user's client stays theirs to close. */
  close(): void {
    this.#listeners.clear();
    this.#disconnectIfIdle();
  }
}
