// One process of a sharing run. Waits for "go" on stdin (after START_DELAY_MS more for the
// cron-style run), sends its TASKS requests to SERVER_URL through the contender's gate with
// IN_FLIGHT at a time, retries each 429 through the gate, and prints one JSON line of counts
// (and the slot times the limiter reported, when it reports them). A request whose slot is known
// carries it in an `x-slot` header, so the server can tell how long after its slot it arrived.
// CLOCK_SKEW_MS shifts Date.now, as a machine with a wrong clock would.
import { Redis } from "ioredis";
import { applyClockSkew, requiredEnv as env } from "../../scripts/worker-env.js";
import { gateFor, type ShareContender } from "./gates.js";

applyClockSkew();

const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
const gate = await gateFor(env("CONTENDER") as ShareContender, {
  redis,
  quota: env("QUOTA"),
  limit: Number(env("LIMIT")),
  windowMs: Number(env("WINDOW_MS")),
  processes: Number(env("PROCESSES")),
});
const url = env("SERVER_URL");
const tasks = Number(env("TASKS"));
const inFlight = Number(env("IN_FLIGHT"));
const startDelayMs = Number(env("START_DELAY_MS"));
const giveUpMs = Number(env("GIVE_UP_MS"));

let sent = 0;
let rejected = 0;
let done = 0;
let inFlightNow = 0;
const slots: number[] = [];
let failure: string | undefined;

async function lane(until: number): Promise<void> {
  while (done + inFlightNow < tasks && performance.now() < until) {
    inFlightNow++;
    try {
      for (;;) {
        const slot = await gate();
        if (slot !== undefined) slots.push(slot);
        sent++;
        const response = await fetch(url, slot === undefined ? undefined : { headers: { "x-slot": String(slot) } });
        await response.arrayBuffer();
        if (response.status === 200) break;
        rejected++;
        if (performance.now() >= until) return;
      }
      done++;
    } finally {
      inFlightNow--;
    }
  }
}

// Open the keep-alive sockets first, so no request of the run pays for a TCP handshake.
await Promise.all(Array.from({ length: inFlight }, async () => (await fetch(new URL("/warm", url))).arrayBuffer()));
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
  redis.disconnect();
  process.exit(0);
});
