import { createServer, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type Judgement, type ServerCounter, type ServerLimitKind, serverCounter } from "./server-limits.js";

/** A header the client outside Sluice sends, so that its requests are counted apart (never judged apart). */
export const FOREIGN_HEADER = "x-foreign";

/** One request the server judged. */
export interface Arrival {
  /** When it arrived, ms on this process's monotonic clock (`performance.now()`). */
  readonly atMs: number;
  readonly accepted: boolean;
  /** Sent by the client outside Sluice. */
  readonly foreign: boolean;
}

export interface ServerTally {
  /** Every counted request, in order of arrival. */
  readonly arrivals: readonly Arrival[];
  /**
   * For each request that carried its slot (`x-slot`, epoch ms on the limiter's clock): how many
   * ms after it the request arrived, on this machine's wall clock (which Redis's TIME reads too).
   */
  readonly lagsMs: readonly number[];
}

export interface StrictServer {
  readonly url: string;
  /** Forgets all requests and starts afresh with a limit of this kind (a full bucket, an empty window). */
  reset(kind: ServerLimitKind): void;
  tally(): ServerTally;
  close(): Promise<void>;
}

const wholeSeconds = (ms: number): number => Math.ceil(ms / 1000);

/** The rate-limit headers real APIs send, in whole seconds as they do. */
function headersOf(judgement: Judgement): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    "x-ratelimit-limit": judgement.limit,
    "x-ratelimit-remaining": judgement.remaining,
    "x-ratelimit-reset": wholeSeconds(judgement.resetMs),
  };
  if (!judgement.accepted) headers["retry-after"] = String(Math.max(1, wholeSeconds(judgement.retryAfterMs)));
  return headers;
}

/**
 * The upstream API the processes share, on loopback, `limit` per `windowMs` of the kind given
 * to `reset` (a sliding window until then). It judges each request on its arrival, as a real API
 * does, not on the limiter's own times: 200 when the limit admits it, else 429.
 */
export async function startStrictServer(limit: number, windowMs: number): Promise<StrictServer> {
  let counter: ServerCounter = serverCounter("sliding window", limit, windowMs);
  let arrivals: Arrival[] = [];
  let lagsMs: number[] = [];
  const server = createServer((request, response) => {
    const now = performance.now();
    // Workers open their keep-alive sockets and warm up on /warm before a run; those calls are not counted.
    if (request.url === "/warm") return void response.writeHead(204).end();
    const slot = request.headers["x-slot"];
    if (typeof slot === "string") lagsMs.push(performance.timeOrigin + now - Number(slot));
    const judgement = counter.judge(now);
    arrivals.push({ atMs: now, accepted: judgement.accepted, foreign: request.headers[FOREIGN_HEADER] !== undefined });
    if (judgement.accepted) response.writeHead(200, headersOf(judgement)).end("ok");
    else response.writeHead(429, headersOf(judgement)).end("too many requests");
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    reset(kind) {
      counter = serverCounter(kind, limit, windowMs);
      arrivals = [];
      lagsMs = [];
    },
    tally: () => ({ arrivals, lagsMs }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
