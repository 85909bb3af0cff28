import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A scripted answer that bypasses the limit (for 429/401 scenarios). */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One more limit the server enforces, on the requests whose path it covers. */
export interface ServerLimit {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** `"sliding"`: an exact sliding log. `"fixed"`: windows aligned to the epoch (like "resets hourly"). */
  readonly kind: "sliding" | "fixed";
  /** Paths it covers. @default every path */
  readonly paths?: (path: string) => boolean;
}

export interface LimitedServerOptions {
  /** Requests admitted in any window of `windowMs` (an exact sliding log, like a strict API). */
  readonly limit: number;
  readonly windowMs: number;
  /** Further limits; a request is admitted only when every limit covering it has room. */
  readonly limits?: readonly ServerLimit[];
  /**
   * Also send the reset on 200 answers (`X-RateLimit-Reset-After` in ms-precise seconds and
   * `X-RateLimit-Reset` in epoch seconds), as APIs such as TikTok and GitHub do. @default false
   */
  readonly resetOnSuccess?: boolean;
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
  /** Path, query excluded. */
  readonly path: string;
  readonly body: string;
}

export interface LimitedServer {
  readonly url: string;
  /** 429s per limit name (`"main"` for `limit`/`windowMs`). */
  readonly refusedBy: Record<string, number>;
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
 * Requests to `/__warmup...` are answered 204 and not counted. Over the limit it answers 429 with `Retry-After` and `X-RateLimit-Limit/Remaining/Reset`.
 */
export async function startLimitedServer(options: LimitedServerOptions): Promise<LimitedServer> {
  interface Tracked extends ServerLimit {
    readonly admitted: number[];
  }
  const tracked: Tracked[] = [
    { name: "main", limit: options.limit, windowMs: options.windowMs, kind: "sliding", admitted: [] },
    ...(options.limits ?? []).map((limit) => ({ ...limit, admitted: [] })),
  ];
  const refusedBy: Record<string, number> = {};
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
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const applying = tracked.filter((limit) => limit.paths?.(path) ?? true);
    /** Requests counted now, and when the first slot frees, for one limit. */
    const view = (limit: Tracked): { used: number; resetAt: number } => {
      if (limit.kind === "fixed") {
        const start = Math.floor(now / limit.windowMs) * limit.windowMs;
        return { used: limit.admitted.filter((t) => t >= start).length, resetAt: start + limit.windowMs };
      }
      while (limit.admitted.length > 0 && (limit.admitted[0] as number) <= now - limit.windowMs) limit.admitted.shift();
      return { used: limit.admitted.length, resetAt: (limit.admitted[0] ?? now) + limit.windowMs };
    };
    const views = applying.map((limit) => ({ limit, ...view(limit) }));
    const full = views.filter((v) => v.used >= v.limit.limit);
    if (full.length > 0) {
      rateLimited++;
      for (const v of full) refusedBy[v.limit.name] = (refusedBy[v.limit.name] ?? 0) + 1;
      const resetAt = Math.max(...full.map((v) => v.resetAt));
      const first = full[0] as (typeof full)[0];
      const retryAfter =
        options.retryAfter === "date"
          ? new Date(Math.ceil(resetAt / 1000) * 1000).toUTCString()
          : String(Math.ceil((resetAt - now) / 1000));
      return answer(
        res,
        429,
        {
          "retry-after": retryAfter,
          "x-ratelimit-limit": String(first.limit.limit),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.ceil(resetAt / 1000)),
        },
        "slow down",
      );
    }
    for (const v of views) v.limit.admitted.push(now);
    // The tightest limit after this request, as one header set can only describe one.
    const tightest = views
      .map((v) => ({
        limit: v.limit.limit,
        remaining: v.limit.limit - v.used - 1,
        resetAt: v.used === 0 ? now + v.limit.windowMs : v.resetAt,
      }))
      .sort((a, b) => a.remaining - b.remaining)[0] as { limit: number; remaining: number; resetAt: number };
    const resetHeaders: Record<string, string> = options.resetOnSuccess
      ? {
          "x-ratelimit-reset-after": ((tightest.resetAt - now) / 1000).toFixed(3),
          "x-ratelimit-reset": String(Math.ceil(tightest.resetAt / 1000)),
        }
      : {};
    return answer(
      res,
      200,
      {
        "x-ratelimit-limit": String(tightest.limit),
        "x-ratelimit-remaining": String(tightest.remaining),
        ...resetHeaders,
      },
      `ok ${req.method} ${req.url} ${body}`,
    );
  };

  const server = createServer((req, res) => {
    // Warm-up requests (sockets, code paths) are neither limited nor recorded.
    if (req.url?.startsWith("/__warmup")) {
      req.resume();
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const status = handle(req, res, body);
      const key = options.keyHeader === undefined ? undefined : req.headers[options.keyHeader];
      const path = new URL(req.url ?? "/", "http://x").pathname;
      arrivals.push({
        at,
        status,
        key: typeof key === "string" ? key : undefined,
        method: req.method ?? "",
        path,
        body,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refusedBy,
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
