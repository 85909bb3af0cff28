import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectRedis, randomPrefix } from "../support/redis-clients";
import { type Arrival, type LimitedServer, startLimitedServer } from "./support/limited-server";
import { type FetchWorkers, type Phase, startFetchWorkers } from "./support/run-fetch-workers";

/**
 * The server's admissions (200s) over what its limit allows, two ways: in the whole windows of
 * the run counted from the first admission (`ratio`), and averaged over every position of a
 * window inside the run (`mean`; not flattered by where bursts fall against window edges).
 */
function utilisation(arrivals: readonly Arrival[], limit: number, windowMs: number, spanMs: number) {
  const accepted = arrivals.filter((a) => a.status === 200).map((a) => a.at);
  const t0 = Math.min(...accepted);
  const windows = Math.floor(spanMs / windowMs);
  const inWindows = accepted.filter((t) => t < t0 + windows * windowMs).length;
  // A window [s, s + W) holds an admission at a when s is in (a - W, a]; s runs over [t0, last].
  const last = t0 + spanMs - windowMs;
  const held = accepted.reduce((sum, a) => sum + Math.max(0, Math.min(a, last) - Math.max(a - windowMs, t0)), 0);
  return { t0, windows, accepted: inWindows, ratio: inWindows / (windows * limit), mean: held / (last - t0) / limit };
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

// The server: 40 per 1 s, an exact sliding window counting arrivals. The client: exactly the
// server's documented limit, no tuning: the quota learns its arrival margin from the answers.
const LIMIT = Number(process.env.FETCH_LIMIT ?? 40);
const WINDOW_MS = Number(process.env.FETCH_WINDOW_MS ?? 1000);
const CLIENT_WINDOW_MS = Number(process.env.FETCH_CLIENT_WINDOW_MS ?? WINDOW_MS);
// All 8 start in the same millisecond (a deploy): the hardest start for a 2-core machine.
const STAGGER_MS = Number(process.env.FETCH_STAGGER_MS ?? 0);
// The first 2 s are warm-up: the margin may need a 429 or two to be learned.
const WARM_UP_MS = 2000;

let workers: FetchWorkers;
let server: LimitedServer | undefined;

beforeAll(async () => {
  workers = await startFetchWorkers(8, inject("redisUrl"));
});

const redis = connectRedis();

afterAll(async () => {
  await workers?.close();
  await server?.close();
  redis.disconnect();
});

/** What the quota learned: its arrival figures and the causes of the 429s it noted, oldest first. */
async function learned(phase: Phase): Promise<string> {
  const base = `${phase.prefix}:{shared}:`;
  const arrival = await redis.hgetall(`${base}arrival`);
  const events = (await redis.lrange(`${base}events`, 0, -1)).map((e) => JSON.parse(e)).reverse();
  const causes = events.map((e) => `${e.cause}${e.marginMs === undefined ? "" : ` (${e.marginMs} ms, ${e.share})`}`);
  return `margin ${Number(arrival.m) / 1000} ms, share ${Number(arrival.e) / 1000}, lateness reported ${Number(arrival.p) / 1000} ms; 429s learned: ${causes.join(", ")}`;
}

const phase = (serverUrl: string, durationMs: number): Phase => ({
  serverUrl,
  prefix: randomPrefix(),
  limit: LIMIT,
  windowMs: CLIENT_WINDOW_MS,
  durationMs,
  inFlight: 4,
  retryLimit: 3,
  onExhausted: process.env.FETCH_ON_EXHAUSTED === "ignore" ? "ignore" : "pause",
});

describe("8 processes (tsx) share one strict server through Redis", () => {
  it("configured with the server's own limit, meet no 429 after warm-up and see only 200s", async () => {
    const api = await startLimitedServer({
      limit: LIMIT,
      windowMs: WINDOW_MS,
      resetOnSuccess: process.env.FETCH_RESET_ON_SUCCESS === "1",
    });
    server = api;
    const durationMs = 6000;
    const run = phase(api.url, durationMs);
    const result = await workers.run(run, STAGGER_MS);
    const use = utilisation(api.arrivals, LIMIT, WINDOW_MS, durationMs);
    // From the first counted request (the workers' warm-up requests are not counted).
    const startedAt = Math.min(...api.arrivals.map((a) => a.at));
    const refused = api.arrivals.filter((a) => a.status === 429).map((a) => a.at - startedAt);
    console.info(
      `8 processes, server ${LIMIT}/${WINDOW_MS} ms, client ${LIMIT}/${CLIENT_WINDOW_MS} ms: ${result.statuses.length} calls, ` +
        `server 429s ${refused.length} (at +${refused.join(",")} ms), ` +
        `utilisation ${pct(use.ratio)} (${use.accepted} in ${use.windows} whole windows), mean over every window position ${pct(use.mean)}; ${await learned(run)}`,
    );
    expect(result.errors).toEqual([]);
    expect(result.statuses.every((status) => status === 200)).toBe(true);
    // A count, not a timing threshold: utilisation figures live in the benchmark.
    expect(refused.filter((at) => at > WARM_UP_MS)).toEqual([]);
    await api.close();
    server = undefined;
  });

  it("a client outside Sluice spends 25% of the quota: every Sluice call still succeeds", async () => {
    const api = await startLimitedServer({ limit: LIMIT, windowMs: WINDOW_MS, resetOnSuccess: true });
    server = api;
    const durationMs = 5000;
    let rival: ReturnType<typeof setInterval> | undefined;
    let rivalStartedAt = 0;
    const rivalCalls: Array<Promise<void>> = [];
    // Another team's plain script: a call every 200 ms (a quarter of the limit), each retried
    // after Retry-After (1 s when absent) until it gets a 200, so it does spend its 25%.
    const rivalCall = async (n: number): Promise<void> => {
      for (;;) {
        const res = await fetch(`${api.url}/rival/${n}`);
        await res.text();
        if (res.status !== 429) return;
        await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get("retry-after") ?? 1) * 1000));
      }
    };
    const run = phase(api.url, durationMs);
    const result = await workers.run(run, STAGGER_MS, () => {
      rivalStartedAt = Date.now();
      let n = 0;
      rival = setInterval(
        () => {
          rivalCalls.push(rivalCall(n++));
        },
        WINDOW_MS / (LIMIT / 4),
      );
    });
    clearInterval(rival);
    await Promise.all(rivalCalls);
    const sluice = api.arrivals.filter((a) => a.path.startsWith("/w"));
    const rivals = api.arrivals.filter((a) => a.path.startsWith("/rival"));
    const refused = sluice.filter((a) => a.status === 429).map((a) => a.at - rivalStartedAt);
    const use = utilisation(api.arrivals, LIMIT, WINDOW_MS, durationMs);
    const admitted = api.arrivals.filter((a) => a.status === 200).length;
    console.info(
      `rival at 25%: ${result.statuses.length} Sluice calls, errors ${result.errors.length}, ` +
        `Sluice 429s ${refused.length} of ${sluice.length} attempts (at +${refused.join(",")} ms from the start), ` +
        `rival calls ${rivalCalls.length}, attempts ${rivals.length}, refused ${rivals.filter((a) => a.status === 429).length}; ` +
        `server utilisation ${pct(use.ratio)} (mean ${pct(use.mean)}), Sluice share of admissions ${pct(sluice.filter((a) => a.status === 200).length / admitted)}; ` +
        `most retries of one call ${result.mostRetries} (retry.limit 3); ${await learned(run)}`,
    );
    expect(result.errors).toEqual([]);
    expect(result.statuses.every((status) => status === 200)).toBe(true);
    await api.close();
    server = undefined;
  });
});
