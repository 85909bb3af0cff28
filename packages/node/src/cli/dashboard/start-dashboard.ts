import { targetLabel } from "../redis-connection.js";
import { readFailure, StatusSource } from "../status-source.js";
import type { DashboardOptions } from "./dashboard-options.js";
import { serveDashboard } from "./dashboard-server.js";
import { StatusFeed } from "./status-feed.js";

/** How far back the charts reach: what a page opened later still shows. */
const HISTORY_MS = 5 * 60_000;

export interface StartedDashboard {
  /** Where to open the page, e.g. `http://127.0.0.1:43121/`. */
  readonly url: string;
  /** The reads every page is sent; subscribe to hear of failed reads. */
  readonly feed: StatusFeed;
  /** Stops reading and serving; resolves once both have stopped. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard of every quota under `options.prefix` (the `sluice dashboard` command, and
 * `pnpm demo --dashboard`): reads Redis once per interval, whether or not a page is open.
 * @param secrets passwords to scrub from every message a page shows.
 * @throws when it cannot listen on `host:port`.
 */
export async function startDashboard(
  options: Omit<DashboardOptions, "help">,
  secrets: readonly string[] = [],
): Promise<StartedDashboard> {
  const target = targetLabel(options);
  const source = new StatusSource(options);
  const intervalMs = Math.round(options.intervalSeconds * 1000);
  const feed = new StatusFeed(
    () => source.read(),
    (error) => readFailure(error, target, secrets),
    { intervalMs, historyMs: HISTORY_MS },
  );
  const server = await serveDashboard(feed, {
    host: options.host,
    port: options.port,
    meta: { prefix: options.prefix, target, intervalMs, historyMs: HISTORY_MS },
  });
  feed.start();
  return {
    url: server.url,
    feed,
    close: async () => {
      const stopped = feed.stop();
      // Ends a read in flight at once rather than after the command timeout.
      source.close();
      await Promise.all([stopped, server.close()]);
    },
  };
}
