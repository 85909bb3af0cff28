import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { allowedHost } from "./allowed-host.js";
import { type Asset, loadAssets } from "./dashboard-assets.js";
import type { FeedMessage, StatusFeed } from "./status-feed.js";

/** What the page header shows; sent to each page with the history on opening. */
export interface DashboardMeta {
  readonly prefix: string;
  /** Where the status is read from, password masked. */
  readonly target: string;
  readonly intervalMs: number;
  readonly historyMs: number;
}

export interface DashboardServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly meta: DashboardMeta;
}

export interface DashboardServer {
  /** Where to open the page, e.g. `http://127.0.0.1:43121/`. */
  readonly url: string;
  /** Ends every open page's stream and stops listening. */
  close(): Promise<void>;
}

/** A page that reads slower than this many bytes behind is dropped (it reconnects, and catches up from the history). */
const MAX_BEHIND_BYTES = 4 * 1024 * 1024;

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;

const urlHost = (host: string): string =>
  host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS, ...headers }).end(text);
}

/**
 * Serves the dashboard: the page, its scripts, and `/events`, a Server-Sent Events stream that
 * opens with the feed's snapshot (`snapshot`) and then carries each read (`report`, `problem`).
 * Read-only: it answers GET and HEAD, and nothing it serves can change Redis.
 * @throws when it cannot listen (e.g. `EADDRINUSE`), or the page's files are missing.
 */
export async function serveDashboard(feed: StatusFeed, options: DashboardServerOptions): Promise<DashboardServer> {
  const assets = await loadAssets();
  const streams = new Set<ServerResponse>();

  const stream = (res: ServerResponse): void => {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      ...SECURITY_HEADERS,
    });
    streams.add(res);
    res.write(`retry: ${Math.max(1000, options.meta.intervalMs)}\n\n`);
    res.write(event("snapshot", { meta: options.meta, ...feed.snapshot() }));
    const unsubscribe = feed.subscribe((message: FeedMessage) => {
      if (res.writableLength > MAX_BEHIND_BYTES) res.destroy();
      else res.write(event(message.type, message));
    });
    // The response closes when the page goes away (or is dropped above).
    res.once("close", () => {
      unsubscribe();
      streams.delete(res);
    });
  };

  const serveAsset = (req: IncomingMessage, res: ServerResponse, asset: Asset): void => {
    res.writeHead(200, {
      "Content-Type": asset.type,
      "Content-Length": asset.body.length,
      "Cache-Control": "no-cache",
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : asset.body);
  };

  const server = createServer((req, res) => {
    if (!allowedHost(req.headers.host, options.host))
      return reply(res, 403, "This dashboard answers loopback names only.\n");
    if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "Read-only.\n", { Allow: "GET, HEAD" });
    const path = new URL(req.url ?? "/", "http://dashboard").pathname;
    if (path === "/events") return stream(res);
    const asset = assets.get(path);
    if (asset === undefined) return reply(res, 404, "Not found.\n");
    serveAsset(req, res, asset);
  });
  const port = await listen(server, options.host, options.port);

  return {
    url: `http://${urlHost(options.host)}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
