import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type IoredisClient, IoredisScriptClient } from "./ioredis-script-client.js";

/** The events of an ioredis client, without a connection. */
class FakeClient extends EventEmitter {
  readonly isCluster = false;
  evalsha = async (): Promise<unknown> => null;
  eval = async (): Promise<unknown> => null;
  duplicate = (): IoredisClient => new FakeClient();
  subscribe = async (): Promise<unknown> => 1;
  unsubscribe = async (): Promise<unknown> => 0;
  disconnect = (): void => {};
}

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6399"), { code: "ECONNREFUSED" });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("IoredisScriptClient.lastError", () => {
  it("is the latest connection error until the connection is ready again", () => {
    const redis = new FakeClient();
    redis.on("error", () => {});
    const client = new IoredisScriptClient(redis);
    expect(client.lastError).toBeUndefined();
    redis.emit("error", new Error("first"));
    redis.emit("error", refused);
    expect(client.lastError).toBe(refused);
    redis.emit("ready");
    expect(client.lastError).toBeUndefined();
  });

  it("is forgotten once a script call is answered", async () => {
    const redis = new FakeClient();
    redis.on("error", () => {});
    const client = new IoredisScriptClient(redis);
    redis.emit("error", refused);
    await client.evalsha("sha", [], []);
    expect(client.lastError).toBeUndefined();
  });

  it("takes a Cluster node's error too", () => {
    const redis = new FakeClient();
    const client = new IoredisScriptClient(redis);
    redis.emit("node error", refused, "127.0.0.1:7000");
    expect(client.lastError).toBe(refused);
  });

  it("stops listening on close, leaving the client's listeners as they were", () => {
    const redis = new FakeClient();
    const counts = () => ["error", "node error", "ready"].map((event) => redis.listenerCount(event));
    const before = counts();
    new IoredisScriptClient(redis).close();
    expect(counts()).toEqual(before);
  });
});

describe("an error nobody else listens to", () => {
  it("is still printed the way ioredis prints it, once however many limiters share the client", () => {
    const print = vi.spyOn(console, "error").mockImplementation(() => {});
    const redis = new FakeClient();
    new IoredisScriptClient(redis);
    new IoredisScriptClient(redis);
    redis.emit("error", refused);
    expect(print).toHaveBeenCalledTimes(1);
    expect(print).toHaveBeenCalledWith("[ioredis] Unhandled error event:", refused.stack);
  });

  it("is left to the application when it listens itself", () => {
    const print = vi.spyOn(console, "error").mockImplementation(() => {});
    const redis = new FakeClient();
    const client = new IoredisScriptClient(redis);
    redis.on("error", () => {});
    redis.emit("error", refused);
    expect(print).not.toHaveBeenCalled();
    expect(client.lastError).toBe(refused);
  });
});
