import { createHash } from "node:crypto";
import type { Connection } from "../redis-targets.js";

const sha1 = (source: string): string => createHash("sha1").update(source).digest("hex");

// @upstash/ratelimit's scripts open with `#!lua flags=allow-key-locking`, a flag Upstash's
// servers accept and Redis 7.0 rejects ("Unexpected flag in script shebang"); without the
// shebang the script is the same Lua.
const withoutShebang = (source: string): string => source.replace(/^#!lua[^\n]*\n/, "");

const noScript = (): Error => new Error("NOSCRIPT No matching script (known to this adapter)");

/**
 * The slice of the `@upstash/redis` client that @upstash/ratelimit's single-region limiters call
 * (`evalsha`, `eval`, with keys and args as arrays), mapped onto an ioredis connection.
 *
 * Stripping the shebang changes each script's SHA1, so the adapter remembers which Upstash hash
 * stands for which stripped script. An EVALSHA for a hash it has not seen yet fails locally
 * with NOSCRIPT: @upstash/ratelimit then sends EVAL, which the adapter sends as EVALSHA of the
 * stripped script (EVAL only if the server lacks it). So a new process pays what it would pay on
 * a server that took the flag: one round trip if the server has the script, two if not.
 */
export class UpstashIoredisAdapter {
  readonly #redis: Connection;
  readonly #strippedSha = new Map<string, { sha: string; source: string }>();

  constructor(redis: Connection) {
    this.#redis = redis;
  }

  async evalsha<TArgs extends unknown[], TData = unknown>(hash: string, keys: string[], args: TArgs): Promise<TData> {
    const script = this.#strippedSha.get(hash);
    if (script === undefined) throw noScript();
    return (await this.#run(script, keys, args)) as TData;
  }

  async eval<TArgs extends unknown[], TData = unknown>(source: string, keys: string[], args: TArgs): Promise<TData> {
    const stripped = withoutShebang(source);
    const script = { sha: sha1(stripped), source: stripped };
    this.#strippedSha.set(sha1(source), script);
    return (await this.#run(script, keys, args)) as TData;
  }

  async #run(script: { sha: string; source: string }, keys: string[], args: unknown[]): Promise<unknown> {
    const argv = args.map(String);
    try {
      return decode(await this.#redis.evalsha(script.sha, keys.length, ...keys, ...argv));
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return decode(await this.#redis.eval(script.source, keys.length, ...keys, ...argv));
    }
  }
}

// @upstash/redis parses bulk strings that hold JSON numbers; the limiters rely on that.
function decode(reply: unknown): unknown {
  if (Array.isArray(reply)) return reply.map(decode);
  if (typeof reply === "string" && reply !== "" && !Number.isNaN(Number(reply))) return Number(reply);
  return reply;
}
