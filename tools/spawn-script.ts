import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs a TypeScript file in a Node process of its own with tsx's loader (from the repository's
 * root unless `cwd` says otherwise). Not the `tsx` command: that runs the script in a child
 * process of its own, which a SIGKILL of the command never reaches, so the script lives on.
 */
export function spawnScript(script: string, options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script], { cwd: root, ...options });
}
