import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
// miniflare is pinned to 4.20260426.0, the last release that runs on Node 20: from 4.20260430.0 on
// it requires Node >= 22. It ships the real workerd runtime (1.20260426.1) as the optional
// dependency @cloudflare/workerd-linux-64, so workerd's own install script (which only checks or
// downloads that binary) may stay unapproved in pnpm's ignoredBuiltDependencies.
import { type Json, Miniflare, type RequestInit, type Response } from "miniflare";

/**
 * Fixed so that the runtime's behaviour does not move with the calendar. This workerd binary
 * refuses dates after 2026-05-03. Note: without `nodejs_compat` (and with it before 2026-03-01)
 * `setTimeout` returns a number, so code meant for Workers must not call `unref()` on it.
 */
export const COMPATIBILITY_DATE = "2026-04-01";

const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));

export interface WorkerOptions {
  /** The Worker's entry module (`export default { fetch }`), TypeScript or JavaScript. */
  readonly entry: string;
  /** What the Worker reads from `env`, e.g. an endpoint's url and token. */
  readonly bindings?: Record<string, Json>;
  /** @default [] (no `nodejs_compat`: `node:*` imports fail, as on a Worker without the flag) */
  readonly compatibilityFlags?: string[];
}

export interface RunningWorker {
  /** Sends a request to the Worker; `path` is resolved against `http://worker.test`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * Bundles `entry` with its imports into one ES module, resolved as a Worker's bundler resolves
 * them: package exports read under the `workerd`, `worker` and `browser` conditions (so
 * `@upstash/redis/cloudflare` gets its fetch build), `node:*` left to the runtime (which has them
 * only with `nodejs_compat`). `@sluice/*` imports resolve to the sources through the root
 * tsconfig's paths, so no build step comes first.
 */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*"],
    target: "es2022",
    tsconfig,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}

/**
 * Bundles the entry and starts it in workerd through Miniflare, listening on 127.0.0.1 only.
 * Dispose of it in a `finally` (or `afterAll`): a runtime left running keeps Node alive.
 */
export async function runWorker(options: WorkerOptions): Promise<RunningWorker> {
  const contents = await bundleWorker(options.entry);
  // What workerd prints while starting is the only account of why it could not (Miniflare's own
  // error says "likely additional logging output above"), so it goes into the error.
  let starting = true;
  let startupLog = "";
  const miniflare = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: options.compatibilityFlags ?? [],
    bindings: options.bindings ?? {},
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk));
      stderr.on("data", (chunk: Buffer) => {
        if (starting) startupLog += chunk.toString();
        else process.stderr.write(chunk);
      });
    },
  });
  try {
    await miniflare.ready;
  } catch (error) {
    // A runtime that failed to start still holds Node open until disposed; dispose() then
    // rejects with the same start error.
    await miniflare.dispose().catch(() => {});
    const reason = startupLog.trim() || (error instanceof Error ? error.message : String(error));
    throw new Error(`workerd could not start ${options.entry}: ${reason}`, { cause: error });
  }
  starting = false;
  if (startupLog) process.stderr.write(startupLog);
  return {
    fetch: (path, init) => miniflare.dispatchFetch(new URL(path, "http://worker.test"), init),
    dispose: () => miniflare.dispose(),
  };
}
