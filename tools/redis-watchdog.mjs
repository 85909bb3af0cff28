// Runs one redis-server so that it cannot outlive the process that started this watchdog.
// Usage: node redis-watchdog.mjs <dir> <redis-server arguments...>
//
// The starter holds the only write end of this process's stdin. Stdin reaches its end when the
// starter closes it to stop the server, and also when the starter dies in any way (exit, crash,
// SIGKILL), because the kernel closes a dead process's files. Then the server gets SIGTERM
// (SIGKILL after 5 s) and `dir`, the server's temp folder, is removed.
// Plain JavaScript so that Node runs it without a loader, whatever runs the starter.
// Prints one line on stdout when the server ends: why.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";

const KILL_AFTER_MS = 5_000;
const [dir, ...args] = process.argv.slice(2);
let ended = false;
let stopping = false;

function finish() {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

function stop() {
  if (stopping) return;
  stopping = true;
  if (ended) return finish();
  server.kill("SIGTERM");
  setTimeout(() => server.kill("SIGKILL"), KILL_AFTER_MS).unref();
}

function serverEnded(reason) {
  if (ended) return;
  ended = true;
  process.stdout.write(`${reason}\n`);
  if (stopping) finish();
}

const server = spawn("redis-server", args, { stdio: ["ignore", "ignore", "inherit"] });
server.once("exit", (code, signal) => serverEnded(`exited (code ${code}, signal ${signal})`));
server.once("error", (error) => serverEnded(`failed to spawn: ${error.message}`));
// A dead starter cannot read the line: the write fails, which must not end the watchdog early.
process.stdout.on("error", () => {});
process.stdin.on("end", stop).on("error", stop).resume();
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, stop);
