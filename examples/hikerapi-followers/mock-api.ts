// A local stand-in for hikerapi's GET /v2/user/followers?user_id=..&page_id=.., with its
// strict per-second limit (429 beyond it). Deterministic: the same user always has the same
// followers and pages, so runs can be compared line by line.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface MockApiOptions {
  /** Requests admitted in any 1000 ms; the rest get 429 with `Retry-After: 1`. */
  readonly limitPerSecond: number;
  /** Followers per page. @default 25 */
  readonly pageSize?: number;
  /** Most followers a user has (the count is a hash of the id, from 0). @default 120 */
  readonly maxFollowers?: number;
  /** These user ids always get a 500. */
  readonly failing?: readonly string[];
  /** Milliseconds each answer takes, drawn uniformly from [min, max]. @default [2, 10] */
  readonly latencyMs?: readonly [number, number];
}

/** One request the mock saw. `pageId` is `""` for a first page. */
export interface MockRequest {
  readonly userId: string;
  readonly pageId: string;
  readonly status: number;
}

export interface MockApi {
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: MockRequest[];
  close(): Promise<void>;
}

export interface Follower {
  readonly pk: string;
  readonly username: string;
}

/** The number of followers the mock gives `userId`. */
export function followerCount(userId: string, maxFollowers = 120): number {
  return createHash("sha1").update(userId).digest().readUInt32BE(0) % (maxFollowers + 1);
}

/** Pages the mock serves for `userId` (a user without followers still has one empty page). */
export function pageCount(userId: string, pageSize = 25, maxFollowers = 120): number {
  return Math.max(1, Math.ceil(followerCount(userId, maxFollowers) / pageSize));
}

const pageIdOf = (userId: string, offset: number): string => Buffer.from(`${userId}:${offset}`).toString("base64url");

function offsetOf(userId: string, pageId: string): number | undefined {
  if (pageId === "") return 0;
  const [owner, offset] = Buffer.from(pageId, "base64url").toString().split(":");
  const n = Number(offset);
  return owner === userId && Number.isInteger(n) && n > 0 ? n : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startMockApi(options: MockApiOptions): Promise<MockApi> {
  const pageSize = options.pageSize ?? 25;
  const maxFollowers = options.maxFollowers ?? 120;
  const failing = new Set(options.failing ?? []);
  const [minLatency, maxLatency] = options.latencyMs ?? [2, 10];
  const requests: MockRequest[] = [];
  // Arrival times of the admitted requests of the last second, oldest first.
  const admitted: number[] = [];
  let head = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://mock");
    if (url.pathname !== "/v2/user/followers") {
      send(res, 404, { detail: "Not Found" });
      return;
    }
    const userId = url.searchParams.get("user_id") ?? "";
    const pageId = url.searchParams.get("page_id") ?? "";
    const now = performance.now();
    while (head < admitted.length && (admitted[head] as number) <= now - 1000) head++;
    if (head > 4096) {
      admitted.splice(0, head);
      head = 0;
    }
    const record = (status: number): void => void requests.push({ userId, pageId, status });
    if (admitted.length - head >= options.limitPerSecond) {
      record(429);
      send(res, 429, { detail: "Too Many Requests" }, { "retry-after": "1" });
      return;
    }
    admitted.push(now);
    const offset = offsetOf(userId, pageId);
    if (userId === "" || offset === undefined) {
      record(400);
      send(res, 400, { detail: "Bad user_id or page_id" });
      return;
    }
    if (failing.has(userId)) {
      record(500);
      send(res, 500, { detail: "Internal Server Error" });
      return;
    }
    record(200);
    const count = followerCount(userId, maxFollowers);
    const end = Math.min(offset + pageSize, count);
    const users: Follower[] = [];
    for (let i = offset; i < end; i++)
      users.push({ pk: `${userId}${String(i).padStart(4, "0")}`, username: `f${i}_of_${userId}` });
    const delay = minLatency + Math.random() * (maxLatency - minLatency);
    setTimeout(
      () => send(res, 200, { response: { users }, next_page_id: end < count ? pageIdOf(userId, end) : null }),
      delay,
    );
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
