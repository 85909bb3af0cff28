// A new function instance's first decision: loads CONTENDER's library, makes an @upstash/redis
// client for UPSTASH_URL (token UPSTASH_TOKEN) and the contender's limiter, decides once on QUOTA,
// and prints {"processMs", "decisionMs", "bytesSent"}: ms since the process began, ms from the
// client's creation to decided, and the bytes of the request bodies the client sent.
import { Redis } from "@upstash/redis";
import { requiredEnv } from "../../tools/worker-env.js";
import { loadServerlessContender, type ServerlessContender } from "./serverless-contenders.js";

// The endpoint counts requests; what each one carried is seen here (a fresh instance may send a
// script's whole source to save a round trip).
let bytesSent = 0;
const send = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (typeof init?.body === "string") bytesSent += Buffer.byteLength(init.body);
  return send(input, init);
};

const makeDecider = await loadServerlessContender(requiredEnv("CONTENDER") as ServerlessContender);
const start = performance.now();
const redis = new Redis({ url: requiredEnv("UPSTASH_URL"), token: requiredEnv("UPSTASH_TOKEN") });
const { decide } = makeDecider(redis, "cold");
await decide(requiredEnv("QUOTA"));
const decided = performance.now();
process.stdout.write(`${JSON.stringify({ processMs: decided, decisionMs: decided - start, bytesSent })}\n`);
// Decided: nothing is left to wait for, such as a keep-alive socket's timeout.
process.exit(0);
