import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

// A local stand-in for the Upstash REST API in front of a real redis-server, speaking the protocol
// as Upstash documents it (docs: redis/features/restapi) and as @upstash/redis 1.39 reads it. No
// Upstash-compatible server installs here (the open-source one is an Elixir Docker image) and the
// npm one is not faithful (no base64, no /multi-exec, auth on "/" only).
//
// Only the JSON-body form the clients use is served: the path form (`GET /set/foo/bar`, which the
// real service also accepts) and `?_token=` are not, so every method but POST gets 405.
//
// Upstash runs scripts whose shebang carries `flags=allow-key-locking`, as @upstash/ratelimit's
// all do; redis-server rejects a flag it does not know ("Unexpected flag in script shebang"). So
// EVAL drops that flag before Redis sees the script, and EVALSHA of the hash of the script as the
// client sent it runs the script Redis holds: a client sees what it sees on Upstash. Only these
// two commands (and their _RO forms) are translated, not SCRIPT LOAD or SCRIPT EXISTS.

export interface UpstashEndpoint {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The Bearer token it requires. */
  readonly token: string;
  /** Requests received, by path ("/", "/pipeline", "/multi-exec"), and in all. */
  readonly stats: { requests: number; byPath: Record<string, number> };
  /** The next request is executed on Redis, then its HTTP response is dropped (socket destroyed): a lost reply. */
  dropNextReply(): void;
  resetStats(): void;
  close(): Promise<void>;
}

type Command = [string, ...string[]];
type Json = null | number | string | Json[] | { [key: string]: Json };
type Reply = { status: number; body: Json };

/** A command as the client sends it: `[name, ...args]`, args strings, numbers or booleans. */
function parseCommand(value: unknown): Command | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((arg) => ["string", "number", "boolean"].includes(typeof arg))) return undefined;
  return value.map(String) as Command;
}

function parseCommands(value: unknown): Command[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const commands = value.map(parseCommand);
  return commands.every((command) => command !== undefined) ? (commands as Command[]) : undefined;
}

/**
 * A Redis reply as Upstash writes it. With `Upstash-Encoding: base64` every bulk or status string
 * is base64 at any depth, except a whole reply of "OK" (the client decodes a top-level "OK" as
 * itself, but an unencoded "OK" inside an array as base64, i.e. "8"). Without it strings are utf-8,
 * invalid bytes becoming U+FFFD, as documented. Integers stay numbers and nil is null.
 */
function replyToJson(reply: unknown, base64: boolean, topLevel = true): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (Buffer.isBuffer(reply)) {
    if (!base64 || (topLevel && reply.toString("latin1") === "OK")) return reply.toString("utf8");
    return reply.toString("base64");
  }
  if (Array.isArray(reply)) return reply.map((item) => replyToJson(item, base64, false));
  throw new TypeError(`The endpoint cannot encode a reply of type ${typeof reply}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const upstashOnlyFlag = "allow-key-locking";

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

/** The script as redis-server accepts it: without Upstash's flag, every other flag kept. */
function withoutUpstashFlag(source: string): string {
  return source.replace(/^(#!lua[^\n]*?) flags=([^\s]*)/, (shebang, head: string, flags: string) => {
    const list = flags.split(",");
    if (!list.includes(upstashOnlyFlag)) return shebang;
    const kept = list.filter((flag) => flag !== upstashOnlyFlag);
    return kept.length === 0 ? head : `${head} flags=${kept.join(",")}`;
  });
}

/** Translates scripts that carry Upstash's flag, remembering the hash the client knows each by. */
function scriptTranslator(): (command: Command) => Command {
  const redisHash = new Map<string, string>();
  return (command) => {
    const [name, script, ...rest] = command;
    if (script === undefined) return command;
    switch (name.toLowerCase()) {
      case "eval":
      case "eval_ro": {
        const accepted = withoutUpstashFlag(script);
        if (accepted === script) return command;
        redisHash.set(sha1(script), sha1(accepted));
        return [name, accepted, ...rest];
      }
      case "evalsha":
      case "evalsha_ro":
        return [name, redisHash.get(script.toLowerCase()) ?? script, ...rest];
      default:
        return command;
    }
  };
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Starts the endpoint on 127.0.0.1, a random port, in front of the Redis at `redisUrl`. */
export async function startUpstashEndpoint(options: { redisUrl: string; token?: string }): Promise<UpstashEndpoint> {
  const token = options.token ?? randomBytes(16).toString("hex");
  const redis = new Redis(options.redisUrl);
  // A transaction gets a connection of its own, so nothing another request sends can land between
  // its MULTI and EXEC.
  const transactions = new Redis(options.redisUrl);
  let transactionQueue: Promise<unknown> = Promise.resolve();
  const stats = { requests: 0, byPath: {} as Record<string, number> };
  let dropNext = false;
  let syncToken = 0;
  const forRedis = scriptTranslator();

  // Replies are buffers (callBuffer) so binary values survive until they are encoded.
  const run = async (command: Command, base64: boolean): Promise<{ result: Json } | { error: string }> => {
    try {
      return { result: replyToJson(await redis.callBuffer(...forRedis(command)), base64) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  };

  const single = async (body: unknown, base64: boolean): Promise<Reply> => {
    const command = parseCommand(body);
    if (!command) return { status: 400, body: { error: "ERR failed to parse command" } };
    const outcome = await run(command, base64);
    return { status: "error" in outcome ? 400 : 200, body: outcome };
  };

  // Not atomic, as documented: each command fails or succeeds alone.
  const pipeline = async (body: unknown, base64: boolean): Promise<Reply> => {
    const commands = parseCommands(body);
    if (!commands) return { status: 400, body: { error: "ERR failed to parse pipeline request" } };
    return { status: 200, body: await Promise.all(commands.map((command) => run(command, base64))) };
  };

  // A command failing at run time gets its own {error} and the rest still run (Redis's own
  // semantics); a transaction Redis discards (EXECABORT) is one 400 for the whole request.
  const multiExec = async (body: unknown, base64: boolean): Promise<Reply> => {
    const commands = parseCommands(body);
    if (!commands) return { status: 400, body: { error: "ERR failed to parse transaction request" } };
    const exec = async (): Promise<Reply> => {
      const transaction = transactions.multi();
      for (const command of commands) transaction.callBuffer(...forRedis(command));
      try {
        const results = (await transaction.exec()) ?? [];
        const body = results.map(([error, reply]) =>
          error ? { error: error.message } : { result: replyToJson(reply, base64) },
        );
        return { status: 200, body };
      } catch (error) {
        return { status: 400, body: { error: errorMessage(error) } };
      }
    };
    const reply = transactionQueue.then(exec);
    transactionQueue = reply.catch(() => undefined);
    return reply;
  };

  const routes: Record<string, (body: unknown, base64: boolean) => Promise<Reply>> = {
    "/": single,
    "/pipeline": pipeline,
    "/multi-exec": multiExec,
  };

  const send = (response: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? "/", "http://endpoint").pathname;
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    const body = await readBody(request);
    if (request.method !== "POST") return send(response, 405, { error: "Method Not Allowed" });
    if (request.headers.authorization !== `Bearer ${token}`) return send(response, 401, { error: "Unauthorized" });
    const route = routes[path];
    if (!route) return send(response, 404, { error: "Not Found" });
    const base64 = String(request.headers["upstash-encoding"]).toLowerCase() === "base64";
    const reply = await route(body, base64);
    if (dropNext) {
      dropNext = false;
      request.socket.destroy();
      return;
    }
    // The client sends back the last token it saw, to read its own writes on a replica; one
    // primary has nothing to wait for, but a fresh token per reply keeps the exchange realistic.
    send(response, reply.status, reply.body, { "upstash-sync-token": String(++syncToken) });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: errorMessage(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stats,
    dropNextReply: () => {
      dropNext = true;
    },
    resetStats: () => {
      stats.requests = 0;
      stats.byPath = {};
    },
    close: async () => {
      // Clients keep connections alive; without this, close() waits for them to time out.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
      transactions.disconnect();
    },
  };
}
