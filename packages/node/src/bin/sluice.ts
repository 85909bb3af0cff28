#!/usr/bin/env node
import { main } from "../cli/main.js";

const stop = new AbortController();
// Once: a second Ctrl-C falls back to Node's default and ends the process at once.
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stop: stop.signal,
}).then((code) => {
  process.exitCode = code;
});
