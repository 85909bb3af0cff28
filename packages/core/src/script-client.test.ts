import { describe, expect, it } from "vitest";
import { isStoreUnavailableError } from "./errors/store-unavailable-error.js";
import { acquireTokenBucketScript, pauseScript } from "./generated/scripts.js";
import { isNoScript, refusesTime, runScript, type ScriptClient } from "./script-client.js";

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

/** The line of a script that reads Redis's clock, as Redis 7 numbers it in errors. */
const timeLine = (source: string): number => source.split("\n").findIndex((l) => l.includes('redis.call("TIME")')) + 1;

describe("isNoScript", () => {
  it("recognises NOSCRIPT in every shape a client throws it", () => {
    for (const message of [
      NOSCRIPT, // ioredis, node-redis, @upstash/redis over HTTP 200
      `${NOSCRIPT}, command was: ["evalsha","0123",1,"k","1"]`, // @upstash/redis, one command
      `Command failed: ${NOSCRIPT}`, // @upstash/redis auto-pipelining
      `Command 1 [ evalsha ] failed: ${NOSCRIPT}`, // @upstash/redis pipeline().exec()
    ]) {
      expect(isNoScript(new Error(message)), message).toBe(true);
    }
  });

  it("is false for other errors, a word merely containing it, and non-errors", () => {
    expect(isNoScript(new Error("ERR unknown command"))).toBe(false);
    expect(isNoScript(new Error("ERR NOSCRIPTS"))).toBe(false);
    expect(isNoScript(new Error("ERR user_script:1: NOSCRIPTING"))).toBe(false);
    expect(isNoScript(NOSCRIPT)).toBe(false);
  });
});

describe("refusesTime", () => {
  const line = timeLine(pauseScript.source);

  it("sees an ACL refusal or a renamed TIME by the line Redis 7 names", () => {
    const acl = `ERR The user executing the script can't run this command or subcommand script: ${pauseScript.sha1}, on @user_script:${line}.`;
    const renamed = `ERR Unknown Redis command called from script script: ${pauseScript.sha1}, on @user_script:${line}.`;
    expect(refusesTime(new Error(acl), pauseScript)).toBe(true);
    expect(refusesTime(new Error(`Command failed: ${renamed}`), pauseScript)).toBe(true);
  });

  it("sees an error that names the command", () => {
    const noperm = "NOPERM this user has no permissions to run the 'time' command or its subcommand";
    expect(refusesTime(new Error(`ERR Error running script: @user_script:1: ${noperm}`), pauseScript)).toBe(true);
  });

  it("is false for an error at any other line, or with no line", () => {
    const other = `ERR user_script:${line + 1}: Script attempted to access nonexistent global variable 'x' script: ${pauseScript.sha1}, on @user_script:${line + 1}.`;
    expect(refusesTime(new Error(other), pauseScript)).toBe(false);
    expect(refusesTime(new Error("ERR the call arrived after its deadline; nothing was admitted"), pauseScript)).toBe(
      false,
    );
    expect(refusesTime("ERR user_script:1", pauseScript)).toBe(false);
  });
});

describe("runScript", () => {
  const client = (error: Error): ScriptClient => ({
    eval: () => Promise.reject(error),
    evalsha: () => Promise.reject(error),
    slotOf: () => 0,
  });

  it("turns a refused TIME into a StoreUnavailableError that names TIME and keeps only Redis's words", async () => {
    const script = acquireTokenBucketScript;
    const redisSays = `ERR The user executing the script can't run this command or subcommand script: ${script.sha1}, on @user_script:${timeLine(script.source)}.`;
    const failure = Object.assign(new Error(redisSays), { command: { name: "eval", args: [script.source] } });
    const error = await runScript(client(failure), script, ["k"], ["1"]).catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect((error as Error).message).toMatch(/refused the TIME command/);
    expect((error as Error).message).toContain(redisSays);
    expect((error as Error).cause).toMatchObject({ message: redisSays });
    expect((error as Error).cause).not.toHaveProperty("command");
  });

  it("rethrows every other error as it is", async () => {
    const failure = new Error("ERR something else");
    await expect(runScript(client(failure), pauseScript, ["k"], ["1", ""])).rejects.toBe(failure);
  });
});
