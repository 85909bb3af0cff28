// One process of the sharing runs, serving every contender in turn. Opens its keep-alive sockets
// and prints "started"; then reads orders, one JSON line each, on stdin. A warm order
// (`WarmOrder`) has it warm the contender up (below) and print "warm". A run order (`RunOrder`)
// has it build the contender's client on the run's quota, print "ready", wait for "go" (and the
// order's start delay, for the cron-style run), have its share of requests answered by SERVER_URL
// through the client, IN_FLIGHT at a time, and print one JSON line (`WorkerReport`: counts, what
// the callers saw, and the slot times the limiter reported, when it reports them). A request whose
// slot is known carries it in an `x-slot` header, so the server can tell how long after its slot
// it arrived. The order's clock skew shifts Date.now for the run, as a machine with a wrong clock
// would. It exits when stdin ends.
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { requiredEnv as env } from "../../tools/worker-env.js";
import { type ClientContext, type ShareClient, send } from "./share-client.js";
import { clientFor, type ShareContender } from "./share-contenders.js";
import type { RunOrder, WarmOrder, WorkerReport } from "./worker-pool.js";

// The warm-up quota lets its requests through at once: it warms code, it does not queue.
const WARMUP_LIMIT = 100_000;
// How long past the stop time a run waits for a limiter call or a request still under way.
const GIVE_UP_GRACE_MS = 5_000;

let clockSkewMs = 0;
const realNow = Date.now;
Date.now = () => realNow() + clockSkewMs;

const connect = () => new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
const limits = { limit: Number(env("LIMIT")), windowMs: Number(env("WINDOW_MS")) };
const url = env("SERVER_URL");
const warmUrl = new URL("/warm", url).href;
const inFlight = Number(env("IN_FLIGHT"));
const warmupRequests = Number(env("WARMUP_REQUESTS"));
let warmUps = 0;

/**
 * Has requests answered through the client, IN_FLIGHT at a time, until `order.tasks` of them
 * were accepted or the order's stop time; a caller that sees another status asks again.
 */
async function share(client: ShareClient, order: RunOrder): Promise<WorkerReport> {
  let done = 0;
  let inFlightNow = 0;
  const callerStatuses: Record<string, number> = {};
  const slots: number[] = [];
  const stopAt = performance.now() + order.stopAtMs;
  const wanted = () => order.tasks === undefined || done + inFlightNow < order.tasks;
  const lane = async (): Promise<void> => {
    while (wanted() && performance.now() < stopAt) {
      inFlightNow++;
      try {
        const answered = await client.request(stopAt);
        slots.push(...answered.slots);
        if (answered.status === 200) done++;
        else callerStatuses[answered.status] = (callerStatuses[answered.status] ?? 0) + 1;
      } finally {
        inFlightNow--;
      }
    }
  };
  const report = (failure?: string): WorkerReport => ({
    done,
    callerStatuses: { ...callerStatuses },
    slots: [...slots],
    ...(failure === undefined ? {} : { failure }),
  });
  // A limiter that never answers must not hold the run: past the stop time and a grace the report
  // goes as it stands (the pool then replaces this process, whose lanes may still be waiting).
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<string>((resolve) => {
    const waitMs = order.stopAtMs + GIVE_UP_GRACE_MS;
    timer = setTimeout(() => resolve(`no answer from the limiter within ${waitMs} ms`), waitMs);
  });
  try {
    return report(
      await Promise.race([Promise.all(Array.from({ length: inFlight }, lane)).then(() => undefined), givenUp]),
    );
  } catch (error) {
    return report(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends WARMUP_REQUESTS requests through the same contender, on a connection and a quota of their
 * own, to the server's uncounted /warm path, so that the runs meet the code optimised, as in a
 * service that has been running. A process that has sent a dozen requests still runs them
 * interpreted, several times slower; 16 such processes on 2 cores delay each other's requests
 * past their slots, which measures the machine, not the limiter.
 */
async function warmUp(contender: ShareContender): Promise<void> {
  const own = connect();
  const warm = await clientFor(contender, {
    redis: own,
    quota: `share-warmup-${process.pid}-${++warmUps}`,
    url: warmUrl,
    kind: "sliding window",
    limit: WARMUP_LIMIT,
    windowMs: limits.windowMs,
    processes: 1,
  });
  let left = warmupRequests;
  // A warm-up request only warms code: one that fails (a store timeout on a busy host) is said on
  // stderr and does not stop the worker.
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) {
        await warm.request(Number.POSITIVE_INFINITY).catch((error: unknown) => {
          failures.push(error instanceof Error ? error.message : String(error));
        });
      }
    }),
  );
  if (failures.length > 0) {
    process.stderr.write(
      `${contender}, worker ${process.pid}: ${failures.length} warm-up requests failed: ${failures[0]}\n`,
    );
  }
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
print("started");
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  const parsed = JSON.parse(line) as WarmOrder | RunOrder;
  if ("warm" in parsed) {
    await warmUp(parsed.warm);
    print("warm");
    continue;
  }
  const order = parsed;
  clockSkewMs = order.clockSkewMs;
  // A connection per run: Bottleneck closes the one it was given when its limiter closes.
  const redis = connect();
  const context: ClientContext = {
    redis,
    url,
    quota: order.quota,
    kind: order.kind,
    processes: order.processes,
    ...limits,
  };
  const client = await clientFor(order.contender, context);
  print("ready");
  if ((await nextLine()) !== "go") break;
  await new Promise((resolve) => setTimeout(resolve, order.startDelayMs));
  print(JSON.stringify(await share(client, order)));
  clockSkewMs = 0;
  await client.close();
  redis.disconnect();
}
process.exit(0);
