import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ServerTally {
  /** Arrival times (ms, this process's monotonic clock) of every request, answered 200 or 429. */
  readonly arrivals: readonly number[];
  /** Arrival times of the requests answered 200. */
  readonly accepted: readonly number[];
  readonly rejected: number;
  /**
   * For each request that carried its slot (`x-slot`, epoch ms on the limiter's clock): how many
   * ms after it the request arrived, on this machine's wall clock (which Redis's TIME reads too).
   */
  readonly lagsMs: readonly number[];
}

export interface StrictServer {
  readonly url: string;
  /** Forgets all requests and starts a fresh window. */
  reset(): void;
  tally(): ServerTally;
  close(): Promise<void>;
}

/**
 * The upstream API the processes share: an exact sliding window on loopback. It accepts a request
 * only if fewer than `limit` were accepted in the `windowMs` before its arrival; otherwise 429.
 * It judges arrival times, as a real API does, not the limiter's own times.
 */
export async function startStrictServer(limit: number, windowMs: number): Promise<StrictServer> {
  let accepted: number[] = [];
  let head = 0;
  let arrivals: number[] = [];
  let rejected = 0;
  let lagsMs: number[] = [];
  const server = createServer((request, response) => {
    const now = performance.now();
    // Workers open their keep-alive sockets and warm up on /warm before a run; those calls are not counted.
    if (request.url === "/warm") return void response.writeHead(204).end();
    arrivals.push(now);
    const slot = request.headers["x-slot"];
    if (typeof slot === "string") lagsMs.push(performance.timeOrigin + now - Number(slot));
    while (head < accepted.length && (accepted[head] as number) <= now - windowMs) head++;
    if (accepted.length - head < limit) {
      accepted.push(now);
      response.writeHead(200).end("ok");
    } else {
      rejected++;
      response.writeHead(429, { "retry-after": "1" }).end("too many requests");
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    reset() {
      accepted = [];
      head = 0;
      arrivals = [];
      rejected = 0;
      lagsMs = [];
    },
    tally: () => ({ arrivals, accepted, rejected, lagsMs }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
