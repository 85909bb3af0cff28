import { StoreUnavailableError } from "./errors/store-unavailable-error.js";
import type { LuaScript } from "./lua-script.js";

/**
 * The narrow interface the core speaks to Redis through; adapters wrap a client library in it.
 * Arguments are already strings; replies are whatever the client decodes.
 */
export interface ScriptClient {
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** The Cluster hash slot of a key; 0 for a single node, where any keys may share a script call. */
  slotOf(key: string): number;
  /**
   * Listens on a pub/sub channel; resolves once subscribed to a function that unsubscribes.
   * Absent for a client without pub/sub (HTTP): waiters on a full concurrency limit then ask
   * again at the earliest lease expiry or after a short backoff.
   */
  subscribe?(channel: string, listener: () => void): Promise<() => void>;
}

/**
 * Redis's NOSCRIPT reply, wherever the client puts it in its message: first (ioredis,
 * node-redis, `"NOSCRIPT …, command was: …"`) or after the client's own prefix
 * (`"Command failed: NOSCRIPT …"`, `"Command 1 [ evalsha ] failed: NOSCRIPT …"`).
 */
export const isNoScript = (error: unknown): boolean =>
  error instanceof Error && /(?:^|: )NOSCRIPT\b/.test(error.message);

/** A script's line that reads Redis's clock. */
const readsTime = (line: string | undefined): boolean => line?.includes('redis.call("TIME")') === true;

/**
 * Whether Redis refused to run TIME inside `script`: an error naming the command (NOPERM …
 * 'time' command), or one that points at a line of the script reading the clock (Redis 7
 * reports an ACL refusal or a renamed command as "… on @user_script:<line>.", naming neither).
 */
export function refusesTime(error: unknown, script: LuaScript): boolean {
  if (!(error instanceof Error)) return false;
  if (/'time' command/i.test(error.message)) return true;
  const line = /user_script:(\d+)/.exec(error.message)?.[1];
  return line !== undefined && readsTime(script.source.split("\n")[Number(line) - 1]);
}

/**
 * The error to throw for a script Redis would not run because it refused TIME: Sluice decides
 * on Redis's clock only and never falls back to a client's. The cause keeps Redis's words only.
 */
function timeRefused(error: Error): StoreUnavailableError {
  const cause = new Error(error.message);
  cause.name = error.name;
  return new StoreUnavailableError(
    `Redis refused the TIME command that Sluice's scripts read the time from: "${error.message}". ` +
      "Sluice decides on Redis's clock only, never on a client's: allow TIME for this connection (ACL +time)",
    { cause },
  );
}

/** Scripts each client has sent in full once (and so loaded into its server's cache). */
const sent = new WeakMap<ScriptClient, Set<string>>();

/**
 * The first call of a script on a client is EVAL, which runs it and loads it in one round trip
 * (a new process, a serverless cold start, pays no separate SCRIPT LOAD or NOSCRIPT trip). After
 * that, EVALSHA, and EVAL again only on NOSCRIPT (a restarted or flushed server, another Cluster
 * node); every other error is rethrown, and a refused TIME as a `StoreUnavailableError` saying so.
 */
export async function runScript(
  client: ScriptClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await evalOnce(client, script, keys, args);
  } catch (error) {
    throw refusesTime(error, script) ? timeRefused(error as Error) : error;
  }
}

async function evalOnce(
  client: ScriptClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  let known = sent.get(client);
  if (known === undefined) {
    known = new Set();
    sent.set(client, known);
  }
  if (!known.has(script.sha1)) {
    known.add(script.sha1);
    return client.eval(script.source, keys, args);
  }
  try {
    return await client.evalsha(script.sha1, keys, args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, keys, args);
  }
}
