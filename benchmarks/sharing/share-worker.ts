// One process of a sharing run. Warms up (below), prints "ready", waits for "go" on stdin (after
// START_DELAY_MS more for the cron-style run), sends its TASKS requests to SERVER_URL through the
// contender's gate with IN_FLIGHT at a time, retries each 429 through the gate, and prints one
// JSON line of counts (and the slot times the limiter reported, when it reports them). A request
// whose slot is known carries it in an `x-slot` header, so the server can tell how long after its
// slot it arrived. CLOCK_SKEW_MS shifts Date.now, as a machine with a wrong clock would.
import { Redis } from "ioredis";
import { applyClockSkew, requiredEnv as env } from "../../scripts/worker-env.js";
import { type GateContext, gateFor, type ShareContender } from "./gates.js";

applyClockSkew();

// The warm-up quota lets its requests through at once: it warms code, it does not queue.
const WARMUP_LIMIT = 100_000;

const contender = env("CONTENDER") as ShareContender;
const context: GateContext = {
  redis: new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 }),
  quota: env("QUOTA"),
  limit: Number(env("LIMIT")),
  windowMs: Number(env("WINDOW_MS")),
  processes: Number(env("PROCESSES")),
};
const gate = await gateFor(contender, context);
const url = env("SERVER_URL");
const warmUrl = new URL("/warm", url);
const tasks = Number(env("TASKS"));
const inFlight = Number(env("IN_FLIGHT"));
const startDelayMs = Number(env("START_DELAY_MS"));
const giveUpMs = Number(env("GIVE_UP_MS"));
const warmupRequests = Number(env("WARMUP_REQUESTS"));

let sent = 0;
let rejected = 0;
let done = 0;
let inFlightNow = 0;
const slots: number[] = [];
let failure: string | undefined;

/** Sends one request, with its slot when known, and answers the status. */
async function send(to: string | URL, slot: number | undefined): Promise<number> {
  const response = await fetch(to, slot === undefined ? undefined : { headers: { "x-slot": String(slot) } });
  await response.arrayBuffer();
  return response.status;
}

async function lane(until: number): Promise<void> {
  while (done + inFlightNow < tasks && performance.now() < until) {
    inFlightNow++;
    try {
      for (;;) {
        const slot = await gate.next();
        if (slot !== undefined) slots.push(slot);
        sent++;
        if ((await send(url, slot)) === 200) break;
        rejected++;
        if (performance.now() >= until) return;
      }
      done++;
    } finally {
      inFlightNow--;
    }
  }
}

/**
 * Sends WARMUP_REQUESTS requests through the same contender, on a connection and a quota of their
 * own, to the server's uncounted /warm path, so that the run meets the code optimised, as in a
 * service that has been running. A process that has sent a dozen requests still runs them
 * interpreted, several times slower; 16 such processes on 2 cores delay each other's requests
 * past their slots, which measures the machine, not the limiter.
 */
async function warmUp(): Promise<void> {
  const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
  const warm = await gateFor(contender, {
    ...context,
    redis,
    quota: `${context.quota}-warmup-${process.pid}`,
    limit: WARMUP_LIMIT,
  });
  let left = warmupRequests;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await send(warmUrl, await warm.next());
    }),
  );
  await warm.close();
  redis.disconnect();
}

// Open the keep-alive sockets first, so no request of the run pays for a TCP handshake.
await Promise.all(Array.from({ length: inFlight }, () => send(warmUrl, undefined)));
await warmUp();
process.stdout.write("ready\n");
process.stdin.once("data", async () => {
  await new Promise((resolve) => setTimeout(resolve, startDelayMs));
  const until = performance.now() + giveUpMs;
  try {
    await Promise.all(Array.from({ length: inFlight }, () => lane(until)));
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  process.stdout.write(`${JSON.stringify({ sent, rejected, done, failure, slots })}\n`);
  context.redis.disconnect();
  process.exit(0);
});
