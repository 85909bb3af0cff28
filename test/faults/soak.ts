// The long soak: ~1,000,000 decisions in one process against a real redis-server of its own,
// sampling heap and key count; then checks every key expires once the quotas' TTLs pass.
//   pnpm tsx test/faults/soak.ts [decisions]      (about 100 s for 1,000,000 on 2 cores)
// The vitest suite runs the same code on 50,000 decisions (test/faults/soak.test.ts).
import { Redis } from "ioredis";
import { OwnRedis } from "./support/redis-process.js";
import { countKeys, soak } from "./support/soak-run.js";

const total = Number(process.argv[2] ?? 1_000_000);
const server = await OwnRedis.start();
const redis = new Redis(server.url);
try {
  const result = await soak(redis, "soak", total, 256, 40);
  for (const s of result.samples) {
    console.log(
      `${String(s.decisions).padStart(9)} decisions  heap ${s.heapMb.toFixed(1).padStart(6)} MB  keys ${s.keys}`,
    );
  }
  const heaps = result.samples.slice(2).map((s) => s.heapMb);
  const keys = Math.max(...result.samples.map((s) => s.keys));
  const callKeys = Math.max(...result.samples.map((s) => s.callKeys));
  console.log(
    `${result.decisions} decisions (${result.admitted} admitted) in ${(result.ms / 1000).toFixed(1)} s = ${Math.round((result.decisions / result.ms) * 1000)}/s`,
  );
  console.log(`heap after warm-up: min ${Math.min(...heaps).toFixed(1)} MB, max ${Math.max(...heaps).toFixed(1)} MB`);
  console.log(
    `keys: max ${keys} (bound ${result.keyBound}); call keys: max ${callKeys} (${Math.round(result.callsPerSecond)} calls/s, kept 2 s)`,
  );
  const deadline = Date.now() + result.ttlMs + 2000;
  let left = await countKeys(redis, "soak");
  while (left > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await countKeys(redis, "soak");
  }
  console.log(`keys ${result.ttlMs + 2000} ms after the last decision: ${left}`);
  const callBound = Math.ceil(result.callsPerSecond * 2 * 1.5) + 10;
  const ok =
    left === 0 && keys <= result.keyBound && callKeys <= callBound && Math.max(...heaps) - Math.min(...heaps) < 32;
  console.log(ok ? "OK" : "FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  redis.disconnect();
  await server.stop();
}
