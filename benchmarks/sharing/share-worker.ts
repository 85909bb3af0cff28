// One process of the sharing runs of one contender. Warms up (below) and prints "warm"; then,
// for each run, reads a run order (one JSON line, `RunOrder`) on stdin, builds the contender's
// gate on the run's quota, prints "ready", waits for "go" (and the order's start delay, for the
// cron-style run), sends its share of requests to SERVER_URL through the gate with IN_FLIGHT at a
// time, retries each 429 through the gate, and prints one JSON line (`WorkerReport`: counts, and
// the slot times the limiter reported, when it reports them). A request whose slot is known
// carries it in an `x-slot` header, so the server can tell how long after its slot it arrived.
// The order's clock skew shifts Date.now for the run, as a machine with a wrong clock would.
// It exits when stdin ends.
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { requiredEnv as env } from "../../scripts/worker-env.js";
import { type Gate, type GateContext, gateFor, type ShareContender } from "./gates.js";
import type { RunOrder, WorkerReport } from "./worker-pool.js";

// The warm-up quota lets its requests through at once: it warms code, it does not queue.
const WARMUP_LIMIT = 100_000;
// How long past the give-up time a run waits for a limiter call or a request still under way.
const GIVE_UP_GRACE_MS = 5_000;

let clockSkewMs = 0;
const realNow = Date.now;
Date.now = () => realNow() + clockSkewMs;

const contender = env("CONTENDER") as ShareContender;
const connect = () => new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
const limits = { limit: Number(env("LIMIT")), windowMs: Number(env("WINDOW_MS")) };
const url = env("SERVER_URL");
const warmUrl = new URL("/warm", url);
const inFlight = Number(env("IN_FLIGHT"));
const warmupRequests = Number(env("WARMUP_REQUESTS"));

/** Sends one request, with its slot when known, and answers the status. */
async function send(to: string | URL, slot: number | undefined): Promise<number> {
  const response = await fetch(to, slot === undefined ? undefined : { headers: { "x-slot": String(slot) } });
  await response.arrayBuffer();
  return response.status;
}

/** Gets `order.tasks` requests accepted through the gate, IN_FLIGHT at a time, until the order's give-up time. */
async function share(gate: Gate, order: RunOrder): Promise<WorkerReport> {
  const report: WorkerReport = { sent: 0, rejected: 0, done: 0, slots: [] };
  let inFlightNow = 0;
  const until = performance.now() + order.giveUpMs;
  const lane = async (): Promise<void> => {
    while (report.done + inFlightNow < order.tasks && performance.now() < until) {
      inFlightNow++;
      try {
        for (;;) {
          const slot = await gate.next();
          if (slot !== undefined) report.slots.push(slot);
          report.sent++;
          if ((await send(url, slot)) === 200) break;
          report.rejected++;
          if (performance.now() >= until) return;
        }
        report.done++;
      } finally {
        inFlightNow--;
      }
    }
  };
  // A limiter that never answers must not hold the run: at the give-up time the report goes as
  // it stands (the pool then replaces this process, whose lanes may still be waiting).
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, order.giveUpMs + GIVE_UP_GRACE_MS);
  }).then(() => {
    report.failure ??= `no answer from the limiter within ${order.giveUpMs + GIVE_UP_GRACE_MS} ms`;
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: inFlight }, lane)), givenUp]);
  } catch (error) {
    report.failure = error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
  return { ...report, slots: [...report.slots] };
}

/**
 * Sends WARMUP_REQUESTS requests through the same contender, on a connection and a quota of their
 * own, to the server's uncounted /warm path, so that the runs meet the code optimised, as in a
 * service that has been running. A process that has sent a dozen requests still runs them
 * interpreted, several times slower; 16 such processes on 2 cores delay each other's requests
 * past their slots, which measures the machine, not the limiter.
 */
async function warmUp(): Promise<void> {
  const own = connect();
  const warm = await gateFor(contender, {
    redis: own,
    quota: `share-warmup-${process.pid}`,
    limit: WARMUP_LIMIT,
    windowMs: limits.windowMs,
    processes: 1,
  });
  let left = warmupRequests;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await send(warmUrl, await warm.next());
    }),
  );
  await warm.close();
  own.disconnect();
}

const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const nextLine = async (): Promise<string | undefined> => {
  const { value, done } = await input.next();
  return done ? undefined : value;
};
const print = (line: string) => process.stdout.write(`${line}\n`);

// Open the keep-alive sockets first, so no request pays for a TCP handshake.
await Promise.all(Array.from({ length: inFlight }, () => send(warmUrl, undefined)));
await warmUp();
print("warm");
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  const order = JSON.parse(line) as RunOrder;
  clockSkewMs = order.clockSkewMs;
  // A connection per run: Bottleneck closes the one it was given when its limiter closes.
  const redis = connect();
  const context: GateContext = { redis, quota: order.quota, processes: order.processes, ...limits };
  const gate = await gateFor(contender, context);
  print("ready");
  if ((await nextLine()) !== "go") break;
  await new Promise((resolve) => setTimeout(resolve, order.startDelayMs));
  print(JSON.stringify(await share(gate, order)));
  clockSkewMs = 0;
  await gate.close();
  redis.disconnect();
}
process.exit(0);
