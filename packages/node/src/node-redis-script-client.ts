import type { ScriptClient } from "@sluice/core/adapter";
import calculateSlot from "cluster-key-slot";

/** node-redis's options of `eval` and `evalSha`. */
interface EvalOptions {
  keys: string[];
  arguments: string[];
}

/** A pub/sub listener; the message (a string or, in buffer mode, a Buffer) goes unread. */
type MessageListener = () => unknown;

/** What Sluice uses of both a node-redis client and a node-redis cluster. */
interface NodeRedisCommands {
  /** True from `connect()` until `close()`/`destroy()`: tells node-redis from ioredis-like clients. */
  readonly isOpen: boolean;
  evalSha(sha1: string, options: EvalOptions): Promise<unknown>;
  eval(script: string, options: EvalOptions): Promise<unknown>;
  subscribe(channel: string, listener: MessageListener): Promise<unknown>;
  unsubscribe(channel: string, listener: MessageListener): Promise<unknown>;
  on(event: "error" | "node-error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
  off(event: "error" | "node-error", listener: (error: Error) => void): unknown;
  off(event: "ready", listener: () => void): unknown;
  listeners(event: string): readonly unknown[];
}

/**
 * What Sluice uses of a node-redis (5 or 6) client from `createClient()`, written out so that no
 * type of `redis` is needed to compile against Sluice.
 */
export interface NodeRedisClient extends NodeRedisCommands {
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  destroy(): void;
}

/** What Sluice uses of a node-redis (5 or 6) cluster from `createCluster()`. */
export interface NodeRedisCluster extends NodeRedisCommands {
  getSlotMaster(slot: number): unknown;
}

/** A node-redis client or cluster, told apart from ioredis-like clients by `evalSha` and `isOpen`. */
export function isNodeRedis(redis: unknown): redis is NodeRedisClient | NodeRedisCluster {
  return (
    typeof redis === "object" &&
    redis !== null &&
    typeof (redis as NodeRedisCommands).evalSha === "function" &&
    "isOpen" in redis
  );
}

const isCluster = (redis: NodeRedisClient | NodeRedisCluster): redis is NodeRedisCluster =>
  typeof (redis as NodeRedisCluster).getSlotMaster === "function";

/**
 * node-redis's own command timeout (`commandOptions.timeout`, 5 s by default in node-redis 6)
 * rejects with a `TimeoutError` that has no message: the error says what ended the call.
 */
function named(error: unknown): unknown {
  if (!(error instanceof Error) || error.message !== "" || error.constructor.name !== "TimeoutError") return error;
  return new Error("node-redis command timeout (the client's commandOptions.timeout, 5 s by default in node-redis 6)", {
    cause: error,
  });
}

/** The 'error' listeners of every NodeRedisScriptClient: several limiters may share one client. */
const ownListeners = new WeakSet<object>();

/**
 * The core's narrow script interface over a node-redis client or cluster. Integer replies arrive
 * as numbers in RESP2 and RESP3 alike, exact below 2^53 - 64 (node-redis adds the next digit
 * before it takes away '0'), far above the microsecond timestamps the scripts return.
 *
 * Pub/sub: a single client's subscriptions go on a `duplicate()` connection (in RESP2 a
 * subscribed connection refuses other commands; in RESP3 it keeps wake-ups off the command
 * socket), opened on the first listener and closed when the last one stops. A cluster already
 * opens a pub/sub connection of its own on the first SUBSCRIBE and closes it after the last
 * UNSUBSCRIBE, so it is used as it is: its duplicate would be a second cluster client.
 */
export class NodeRedisScriptClient implements ScriptClient {
  readonly #redis: NodeRedisClient | NodeRedisCluster;
  readonly #channels = new Map<string, { listeners: Set<() => void>; dispatch: MessageListener }>();
  #subscriber: NodeRedisClient | NodeRedisCluster | undefined;
  #lastError: Error | undefined;

  // While Redis is down node-redis queues commands and reconnects: a call only times out, and
  // the reason (ECONNREFUSED, a DNS failure, a refused password) comes as an event.
  readonly #onError = (error: Error): void => {
    this.#lastError = error;
    // node-redis's documented contract: with no 'error' listener the emit throws and the process
    // ends. An app that never listened must see that, not have the error swallowed here; the last
    // of the limiters' listeners rethrows, after every one of them has taken the error.
    const listeners = this.#redis.listeners("error");
    if (listeners.at(-1) === this.#onError && listeners.every((listener) => ownListeners.has(listener as object))) {
      throw error;
    }
  };
  readonly #onNodeError = (error: Error): void => {
    this.#lastError = error;
  };
  readonly #onReady = (): void => {
    this.#lastError = undefined;
  };

  constructor(redis: NodeRedisClient | NodeRedisCluster) {
    this.#redis = redis;
    ownListeners.add(this.#onError);
    redis.on("error", this.#onError);
    // A cluster reports a node's connection failure as "node-error"; "error" for its own failures.
    redis.on("node-error", this.#onNodeError);
    redis.on("ready", this.#onReady);
  }

  /**
   * The connection's latest error since it was last ready or answered a script, if any: the
   * likely cause of a timeout. (A cluster has no "ready" of its own: an answer clears it.)
   */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#answered(this.#redis.evalSha(sha1, { keys: [...keys], arguments: [...args] }));
  }

  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#answered(this.#redis.eval(source, { keys: [...keys], arguments: [...args] }));
  }

  async #answered(reply: Promise<unknown>): Promise<unknown> {
    let value: unknown;
    try {
      value = await reply;
    } catch (error) {
      throw named(error);
    }
    this.#lastError = undefined;
    return value;
  }

  slotOf(key: string): number {
    return isCluster(this.#redis) ? calculateSlot(key) : 0;
  }

  async subscribe(channel: string, listener: () => void): Promise<() => void> {
    const subscriber = this.#connectSubscriber();
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      const listeners = new Set<() => void>();
      entry = {
        listeners,
        dispatch: () => {
          for (const each of listeners) each();
        },
      };
      this.#channels.set(channel, entry);
      try {
        await subscriber.subscribe(channel, entry.dispatch);
      } catch (error) {
        this.#channels.delete(channel);
        this.#disconnectIfIdle();
        throw error;
      }
    }
    const { listeners, dispatch } = entry;
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      this.#channels.delete(channel);
      void subscriber.unsubscribe(channel, dispatch).catch(() => {});
      this.#disconnectIfIdle();
    };
  }

  #connectSubscriber(): NodeRedisClient | NodeRedisCluster {
    if (this.#subscriber === undefined) {
      if (isCluster(this.#redis)) {
        this.#subscriber = this.#redis;
      } else {
        const subscriber = this.#redis.duplicate();
        // Errors surface through the commands that fail; an unhandled 'error' event would crash.
        subscriber.on("error", () => {});
        // Commands wait in node-redis's offline queue until the connection is ready; a connection
        // that never comes fails them.
        subscriber.connect().catch(() => {});
        this.#subscriber = subscriber;
      }
    }
    return this.#subscriber;
  }

  #disconnectIfIdle(): void {
    const subscriber = this.#subscriber;
    if (this.#channels.size > 0 || subscriber === undefined) return;
    this.#subscriber = undefined;
    // node-redis 5 throws on destroying a connection that already gave up reconnecting.
    if (subscriber !== this.#redis && subscriber.isOpen) (subscriber as NodeRedisClient).destroy();
  }

  /**
   * Closes the pub/sub connection if one is open (on a cluster: ends this client's
   * subscriptions) and stops listening to the client's events; the user's client stays theirs
   * to close.
   */
  close(): void {
    const subscriber = this.#subscriber;
    if (subscriber === this.#redis) {
      for (const [channel, { dispatch }] of this.#channels)
        void subscriber.unsubscribe(channel, dispatch).catch(() => {});
    }
    this.#channels.clear();
    this.#disconnectIfIdle();
    this.#redis.off("error", this.#onError);
    this.#redis.off("node-error", this.#onNodeError);
    this.#redis.off("ready", this.#onReady);
  }
}
