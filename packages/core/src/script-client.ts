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

/** EVALSHA, then EVAL only when the server does not have the script; every other error is rethrown. */
export async function runScript(
  client: ScriptClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha1, keys, args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, keys, args);
  }
}
