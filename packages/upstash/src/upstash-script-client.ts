import type { ScriptClient } from "@sluice/core/adapter";
import { withoutCommand } from "./without-command.js";

/**
 * What Sluice uses of an `@upstash/redis` `Redis`, from any of its entries (`@upstash/redis`,
 * `/cloudflare`, `/fastly`), with auto-pipelining on or off.
 */
export interface UpstashRedis {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

const rethrow = (error: unknown): never => {
  throw withoutCommand(error);
};

/**
 * The core's script interface over HTTP. Each script call is one command, which the client's
 * auto-pipelining may send in one request with others made in the same tick. No pub/sub: a
 * waiter on a full concurrency limit asks again instead (see `Store.onRelease`). Errors come
 * without the request the client quotes in them (the script's source, the keys).
 */
export class UpstashScriptClient implements ScriptClient {
  readonly #redis: UpstashRedis;

  constructor(redis: UpstashRedis) {
    this.#redis = redis;
  }

  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#redis.evalsha(sha1, [...keys], [...args]).catch(rethrow);
  }

  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#redis.eval(source, [...keys], [...args]).catch(rethrow);
  }

  /** Upstash is one database to its clients: any keys may share a script call. */
  slotOf(): number {
    return 0;
  }
}
