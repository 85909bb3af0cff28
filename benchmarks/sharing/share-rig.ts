import type { Settings } from "../settings.js";
import { type StrictServer, startStrictServer } from "./strict-server.js";
import { WorkerPool } from "./worker-pool.js";

// Requests each process keeps in flight.
const IN_FLIGHT = 4;

/** What the sharing and arrival sections share: the strict API they send to, and the worker processes. */
export interface ShareRig {
  readonly redisUrl: string;
  readonly server: StrictServer;
  readonly pool: WorkerPool;
  /** Ends the workers and the server. */
  close(): Promise<void>;
}

/** Starts the strict API; the pool starts its processes when a run first needs them. */
export async function startShareRig(redisUrl: string, settings: Settings): Promise<ShareRig> {
  const server = await startStrictServer(settings.shareLimit, settings.shareWindowMs);
  const pool = new WorkerPool({
    redisUrl,
    serverUrl: server.url,
    limit: settings.shareLimit,
    windowMs: settings.shareWindowMs,
    inFlight: IN_FLIGHT,
    warmupRequests: settings.shareWarmupRequests,
  });
  return {
    redisUrl,
    server,
    pool,
    async close() {
      pool.close();
      await server.close();
    },
  };
}
