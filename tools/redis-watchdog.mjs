// Runs one redis-server so that it cannot outlive the process that started this watchdog.
// Usage: node redis-watchdog.mjs <dir> <redis-server arguments...>
//
// The starter holds the only write end of this process's stdin. Stdin reaches its end when the
// starter closes it to stop the server, and also when the starter dies in any way (exit, crash,
// SIGKILL), because the kernel closes a dead process's files. Then the server gets SIGTERM
// (SIGKILL after 5 s) and `dir`, the server's temp folder, is removed.
// A starter that kills and restarts its server (a fault test) writes lines on stdin: "down
// <signal>" sends the server that signal, "up" starts it again with the same arguments and
// folder. Prints one line on stdout each time the server ends: why.
// Plain JavaScript so that Node runs it without a loader, whatever runs the starter.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";

const KILL_AFTER_MS = 5_000;
const [dir, ...args] = process.argv.slice(2);
/** The running server, if any. */
let server;
let stopping = false;

function finish() {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

function stop() {
  if (stopping) return;
  stopping = true;
  if (server === undefined) return finish();
  server.kill("SIGTERM");
  setTimeout(() => server?.kill("SIGKILL"), KILL_AFTER_MS).unref();
}

function start() {
  const started = spawn("redis-server", args, { stdio: ["ignore", "ignore", "inherit"] });
  let ended = false;
  const serverEnded = (reason) => {
    if (ended) return;
    ended = true;
    server = undefined;
    process.stdout.write(`${reason}\n`);
    if (stopping) finish();
  };
  started.once("exit", (code, signal) => serverEnded(`exited (code ${code}, signal ${signal})`));
  started.once("error", (error) => serverEnded(`failed to spawn: ${error.message}`));
  server = started;
}

function command(line) {
  const [verb, signal] = line.trim().split(" ");
  if (stopping) return;
  if (verb === "down" && server !== undefined) server.kill(signal ?? "SIGKILL");
  else if (verb === "up" && server === undefined) start();
}

start();
// A dead starter cannot read the line: the write fails, which must not end the watchdog early.
process.stdout.on("error", () => {});
process.stdin.on("error", stop);
createInterface({ input: process.stdin }).on("line", command).on("close", stop);
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, stop);
