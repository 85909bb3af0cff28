import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { RunLockedError } from "./errors/run-locked-error.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<output>.lock` for this process: two processes appending the same output would
 * duplicate lines. A lock left by a dead process (killed with SIGKILL) is taken over; one held
 * by a live process is `RunLockedError`. Creates the output's directory if missing. The lock is per machine: a pid says nothing across hosts.
 * @returns a function that removes the lock.
 */
export async function takeRunLock(output: string): Promise<() => Promise<void>> {
  const path = `${output}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx" });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
    }
    const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new RunLockedError(path, pid);
    await rm(path, { force: true });
  }
}
