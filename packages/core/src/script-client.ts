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
  /** Listens on a pub/sub channel; resolves once subscribed to a function that unsubscribes. */
  subscribe(channel: string, listener: () => void): Promise<() => void>;
}

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith("NOSCRIPT");

/** Scripts each client has sent in full once (and so loaded into its server's cache). */
const sent = new WeakMap<ScriptClient, Set<string>>();

/**
 * The first call of a script on a client is EVAL, which runs it and loads it in one round trip
 * (a new process, a serverless cold start, pays no separate SCRIPT LOAD or NOSCRIPT trip). After
 * that, EVALSHA, and EVAL again only on NOSCRIPT (a restarted or flushed server, another Cluster
 * node); every other error is rethrown.
 */
export async function runScript(
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
