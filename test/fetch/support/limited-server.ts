import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A scripted answer that bypasses the limit (for 429/401 scenarios). */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface LimitedServerOptions {
  /** Requests admitted in any window of `windowMs` (an exact sliding log, like a strict API). */
  readonly limit: number;
  readonly windowMs: number;
  /** Form of `Retry-After` on 429: delta-seconds or an HTTP-date. @default "seconds" */
  readonly retryAfter?: "seconds" | "date";
  /** Header that carries a credential; requests are counted per value. */
  readonly keyHeader?: string;
  /** Credentials answered with 401. */
  readonly refusedKeys?: readonly string[];
  /** Called first for each request (numbered from 1); an answer skips the limit. */
  readonly script?: (n: number, request: IncomingMessage) => ScriptedAnswer | undefined;
}

export interface Arrival {
  /** Epoch ms on the server clock. */
  readonly at: number;
  readonly status: number;
  readonly key: string | undefined;
  readonly method: string;
  readonly body: string;
}

export interface LimitedServer {
  readonly url: string;
  readonly arrivals: Arrival[];
  /** Requests answered, all statuses. */
  readonly requests: number;
  /** 429 answers sent by the limit (scripted ones included). */
  readonly rateLimited: number;
  /** Requests seen per credential value. */
  countFor(key: string): number;
  close(): Promise<void>;
}

/**
 * A local HTTP API that enforces a strict limit: an exact sliding window over admitted requests.
 * Over the limit it answers 429 with `Retry-After` and `X-RateLimit-Limit/Remaining/Reset`.
 */
export async function startLimitedServer(options: LimitedServerOptions): Promise<LimitedServer> {
  const admitted: number[] = [];
  const arrivals: Arrival[] = [];
  let requests = 0;
  let rateLimited = 0;

  const answer = (res: ServerResponse, status: number, headers: Record<string, string>, body: string): number => {
    res.writeHead(status, { "content-type": "text/plain", ...headers });
    res.end(body);
    return status;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): number => {
    const n = ++requests;
    const scripted = options.script?.(n, req);
    if (scripted !== undefined) {
      if (scripted.status === 429) rateLimited++;
      return answer(res, scripted.status, scripted.headers ?? {}, scripted.body ?? "");
    }
    const key = options.keyHeader === undefined ? undefined : req.headers[options.keyHeader];
    if (typeof key === "string" && options.refusedKeys?.includes(key)) return answer(res, 401, {}, "bad key");
    const now = Date.now();
    while (admitted.length > 0 && (admitted[0] as number) <= now - options.windowMs) admitted.shift();
    if (admitted.length >= options.limit) {
      rateLimited++;
      const resetAt = (admitted[0] as number) + options.windowMs;
      const retryAfter =
        options.retryAfter === "date"
          ? new Date(Math.ceil(resetAt / 1000) * 1000).toUTCString()
          : String(Math.ceil((resetAt - now) / 1000));
      return answer(
        res,
        429,
        {
          "retry-after": retryAfter,
          "x-ratelimit-limit": String(options.limit),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.ceil(resetAt / 1000)),
        },
        "slow down",
      );
    }
    admitted.push(now);
    return answer(
      res,
      200,
      {
        "x-ratelimit-limit": String(options.limit),
        "x-ratelimit-remaining": String(options.limit - admitted.length),
      },
      `ok ${req.method} ${req.url} ${body}`,
    );
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const status = handle(req, res, body);
      const key = options.keyHeader === undefined ? undefined : req.headers[options.keyHeader];
      arrivals.push({ at, status, key: typeof key === "string" ? key : undefined, method: req.method ?? "", body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    get requests() {
      return requests;
    },
    get rateLimited() {
      return rateLimited;
    },
    countFor: (key) => arrivals.filter((arrival) => arrival.key === key).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
