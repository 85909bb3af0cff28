import calculateSlot from "cluster-key-slot";

/** What the pipelining needs of an ioredis `Redis` or `Cluster` (5 or 6). */
export interface PipelineClient {
  readonly isCluster: boolean;
  /** A Cluster's slot map: the node keys serving each slot, the master first (empty until known). */
  readonly slots?: readonly (readonly string[] | undefined)[];
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  pipeline(): {
    evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

/**
 * Cluster replies that say the command did not run on this node (a slot moved or migrating, the
 * Cluster down for a moment): ioredis follows them for a lone command, not inside a pipeline.
 */
const NOT_RUN = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

interface Queued {
  readonly sha1: string;
  readonly keys: readonly string[];
  readonly args: readonly string[];
  /** The node that serves the call's keys ("" on a single node); undefined when not known. */
  readonly node: string | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends the EVALSHAs made in one tick together: one pipeline (one socket write) per node, a lone
 * call as it is. The calls of one tick are those of independent decisions (other quotas, other
 * Cluster slots, a limiter that does not coalesce): each stays its own script call with its own
 * reply and error, only the writes are shared, so many decisions in flight cost Redis and this
 * process one write each instead of one per decision. Calls to one node run in the order made.
 */
export class TickPipeline {
  readonly #redis: PipelineClient;
  /** The client's `keyPrefix`: a key's slot is the prefixed key's. */
  readonly #keyPrefix: string;
  #queue: Queued[] = [];

  constructor(redis: PipelineClient, keyPrefix: string) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
  }

  /** The script's reply, or its error, as `evalsha` would give it. */
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) process.nextTick(this.#flush);
      this.#queue.push({ sha1, keys, args, node: this.#nodeOf(keys[0]), resolve, reject });
    });
  }

  /** The master serving the key: "" on a single node, undefined on a Cluster whose slot map is not known. */
  #nodeOf(key: string | undefined): string | undefined {
    if (!this.#redis.isCluster) return "";
    if (key === undefined) return undefined;
    return this.#redis.slots?.[calculateSlot(this.#keyPrefix + key)]?.[0];
  }

  readonly #flush = (): void => {
    const queue = this.#queue;
    this.#queue = [];
    const byNode = new Map<string, Queued[]>();
    for (const call of queue) {
      // a call whose node is not known goes on its own, and ioredis finds the node
      if (call.node === undefined) {
        this.#sendAlone(call);
        continue;
      }
      const calls = byNode.get(call.node);
      if (calls === undefined) byNode.set(call.node, [call]);
      else calls.push(call);
    }
    for (const calls of byNode.values()) {
      if (calls.length === 1) this.#sendAlone(calls[0] as Queued);
      else this.#sendTogether(calls);
    }
  };

  #sendAlone(call: Queued): void {
    this.#redis.evalsha(call.sha1, call.keys.length, ...call.keys, ...call.args).then(call.resolve, call.reject);
  }

  #sendTogether(calls: readonly Queued[]): void {
    const pipeline = this.#redis.pipeline();
    for (const call of calls) pipeline.evalsha(call.sha1, call.keys.length, ...call.keys, ...call.args);
    pipeline.exec().then(
      (results) => {
        calls.forEach((call, i) => {
          const [error, value] = results?.[i] ?? [new Error("the pipeline was discarded"), undefined];
          if (error === null) call.resolve(value);
          // not run: sent again alone, and ioredis follows the redirection or waits out the migration
          else if (NOT_RUN.test(error.message)) this.#sendAlone(call);
          else call.reject(error);
        });
      },
      (error: unknown) => {
        for (const call of calls) call.reject(error);
      },
    );
  }
}
