import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly redis: string;
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl);
  try {
    const info = (await redis.info("server")) as string;
    return {
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown",
    };
  } finally {
    redis.disconnect();
  }
}
