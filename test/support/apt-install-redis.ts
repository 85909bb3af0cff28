import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const INSTALL = ["install", "-y", "--no-install-recommends", "redis-server"];

async function aptGet(args: string[]): Promise<void> {
  console.info(`[redis] apt-get ${args.join(" ")}`);
  await execFileAsync("apt-get", args, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
}

/**
 * Installs Debian's redis-server package (redis-server and redis-cli) as .ci/run does: the
 * package lists are refreshed only when the first try fails, as fresh images often have none.
 * Needs root; prints each command it runs.
 */
export async function aptInstallRedis(): Promise<void> {
  try {
    await aptGet(INSTALL);
  } catch {
    await aptGet(["update"]);
    await aptGet(INSTALL);
  }
}
